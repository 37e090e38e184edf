package io.creditstream.policy.model;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;

/**
 * The shape of a {@link PolicyNetwork}: maze size, hidden width, activation and the action names in
 * logit order. It is written into every weight artifact so that an artifact alone rebuilds its
 * network.
 *
 * @param rows maze rows the encoder accepts
 * @param cols maze columns the encoder accepts
 * @param hiddenSize units in each of the two hidden layers
 * @param activation the hidden layers' nonlinearity
 * @param actions action names; logit {@code i} scores {@code actions.get(i)}
 */
public record NetworkSpec(
        int rows, int cols, int hiddenSize, Activation activation, List<String> actions) {

    /** The hidden width used unless told otherwise. */
    public static final int DEFAULT_HIDDEN_SIZE = 128;

    /** The key-and-door maze's actions, in the order the fleet's environment lists them. */
    public static final List<String> KEY_DOOR_ACTIONS =
            List.of("north", "south", "east", "west", "pick", "open");

    /** Validates eagerly, so that a bad spec fails where it is written. */
    public NetworkSpec {
        if (rows <= 0 || cols <= 0) {
            throw new IllegalArgumentException(
                    "maze size must be positive, got " + rows + " rows x " + cols + " cols");
        }
        if (hiddenSize <= 0) {
            throw new IllegalArgumentException("hiddenSize must be positive, got " + hiddenSize);
        }
        Objects.requireNonNull(activation, "activation");
        actions = List.copyOf(Objects.requireNonNull(actions, "actions"));
        if (actions.size() < 2) {
            throw new IllegalArgumentException(
                    "a policy needs at least 2 actions to choose from, got " + actions);
        }
        if (new HashSet<>(actions).size() != actions.size()) {
            throw new IllegalArgumentException("action names must be distinct, got " + actions);
        }
    }

    /** The key-and-door maze policy: 128 tanh units per hidden layer, the six maze actions. */
    public static NetworkSpec keyDoorMaze(int rows, int cols) {
        return new NetworkSpec(rows, cols, DEFAULT_HIDDEN_SIZE, Activation.TANH, KEY_DOOR_ACTIONS);
    }

    /** This spec with another hidden width. */
    public NetworkSpec withHiddenSize(int hiddenSize) {
        return new NetworkSpec(rows, cols, hiddenSize, activation, actions);
    }

    /** This spec with another activation. */
    public NetworkSpec withActivation(Activation activation) {
        return new NetworkSpec(rows, cols, hiddenSize, activation, actions);
    }

    /** The encoder for observations this network reads. */
    public ObservationEncoder encoder() {
        return new ObservationEncoder(rows, cols);
    }

    /** Number of input features. */
    public int inputSize() {
        return encoder().featureCount();
    }

    /** The hidden layers' nonlinearity. */
    public enum Activation {
        /** Rectified linear unit. */
        RELU,
        /** Hyperbolic tangent: bounded, the usual choice for small policy-gradient MLPs. */
        TANH
    }
}
