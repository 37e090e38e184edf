package io.creditstream.policy.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * The policy: a DJL multi-layer perceptron from {@link ObservationEncoder} features through two
 * hidden layers to one logit per action, on the CPU PyTorch engine.
 *
 * <p>Weights are made in Java from a seed, not by the engine's random generator, so the same seed
 * gives bit-identical networks in any process; they are written and read in this class's own format
 * ({@link #writeTo}, {@link #readFrom}) so that a round trip is exact and the file alone rebuilds
 * the network. The trainable arrays are exposed, in a fixed order, for the learner's optimizer.
 *
 * <p>The network owns native memory: close it. It is not designed for concurrent use; give each
 * thread (each fleet worker, the learner) its own instance, and never run an update on a network
 * while another thread reads it.
 */
public final class PolicyNetwork implements AutoCloseable {

    /** The DJL engine every network runs on. */
    public static final String ENGINE = "PyTorch";

    /** Scale of the logit layer's initial weights: a near-uniform first policy explores. */
    static final double LOGIT_INIT_GAIN = 0.01;

    private static final int MAGIC = 0x43535057; // "CSPW"
    private static final int FORMAT_VERSION = 1;
    private static final String[] LAYER_NAMES = {"hidden1", "hidden2", "logits"};

    private final NetworkSpec spec;
    private final ObservationEncoder encoder;
    private final NDManager manager;
    private final Block block;
    private final Map<String, NDArray> trainable;

    private PolicyNetwork(NetworkSpec spec, Map<String, float[]> values) {
        this.spec = spec;
        this.encoder = spec.encoder();
        this.manager = NDManager.newBaseManager(Device.cpu(), ENGINE);
        try {
            SequentialBlock sequential = new SequentialBlock();
            List<Linear> layers = new ArrayList<>();
            for (int i = 0; i < LAYER_NAMES.length; i++) {
                Linear layer = Linear.builder().setUnits(layerShapes(spec)[i][0]).build();
                layer.setInitializer(
                        fixed(values.get(LAYER_NAMES[i] + ".weight")), Parameter.Type.WEIGHT);
                layer.setInitializer(
                        fixed(values.get(LAYER_NAMES[i] + ".bias")), Parameter.Type.BIAS);
                layers.add(layer);
                sequential.add(layer);
                if (i < LAYER_NAMES.length - 1) {
                    sequential.add(activationBlock(spec.activation()));
                }
            }
            sequential.initialize(manager, DataType.FLOAT32, new Shape(1, spec.inputSize()));
            this.block = sequential;
            Map<String, NDArray> arrays = new LinkedHashMap<>();
            for (int i = 0; i < LAYER_NAMES.length; i++) {
                arrays.put(
                        LAYER_NAMES[i] + ".weight",
                        layers.get(i).getParameters().get("weight").getArray());
                arrays.put(
                        LAYER_NAMES[i] + ".bias",
                        layers.get(i).getParameters().get("bias").getArray());
            }
            this.trainable = Collections.unmodifiableMap(arrays);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /**
     * A new network with weights drawn from {@code seed}: hidden weights uniform in {@code ±1 /
     * sqrt(fan_in)}, logit weights 100 times smaller, biases zero.
     */
    public static PolicyNetwork create(NetworkSpec spec, long seed) {
        Objects.requireNonNull(spec, "spec");
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, float[]> values = new LinkedHashMap<>();
        int[][] shapes = layerShapes(spec);
        for (int i = 0; i < LAYER_NAMES.length; i++) {
            int out = shapes[i][0];
            int in = shapes[i][1];
            double gain = i == LAYER_NAMES.length - 1 ? LOGIT_INIT_GAIN : 1.0;
            double bound = gain / Math.sqrt(in);
            float[] weight = new float[out * in];
            for (int j = 0; j < weight.length; j++) {
                weight[j] = (float) random.nextDouble(-bound, bound);
            }
            values.put(LAYER_NAMES[i] + ".weight", weight);
            values.put(LAYER_NAMES[i] + ".bias", new float[out]);
        }
        return new PolicyNetwork(spec, values);
    }

    /** The network's shape. */
    public NetworkSpec spec() {
        return spec;
    }

    /** The encoder for the observations this network reads. */
    public ObservationEncoder encoder() {
        return encoder;
    }

    /** Action names in logit order. */
    public List<String> actions() {
        return spec.actions();
    }

    /**
     * The logit index of {@code action}.
     *
     * @throws IllegalArgumentException if the network has no such action
     */
    public int actionIndex(String action) {
        int index = spec.actions().indexOf(action);
        if (index < 0) {
            throw new IllegalArgumentException(
                    "unknown action \"" + action + "\"; this policy has " + spec.actions());
        }
        return index;
    }

    /**
     * Log-softmax over the actions for a batch: a {@code [observations.size(), actions]} float32
     * array attached to {@code target}, so that closing {@code target} frees it and every
     * intermediate. Call it inside a {@link GradientCollector} with {@code training} true to
     * differentiate through it.
     *
     * @throws IllegalArgumentException if the batch is empty or an observation is malformed
     */
    public NDArray logSoftmax(NDManager target, List<String> observations, boolean training) {
        Objects.requireNonNull(observations, "observations");
        if (observations.isEmpty()) {
            throw new IllegalArgumentException("cannot evaluate an empty batch of observations");
        }
        return logSoftmax(target, encoder.encodeBatch(observations), training);
    }

    /**
     * As {@link #logSoftmax(NDManager, List, boolean)} for observations already encoded by {@link
     * #encoder()}: {@code features} holds whole rows of {@code featureCount()} floats, row-major.
     *
     * @throws IllegalArgumentException if {@code features} is empty or not whole rows
     */
    public NDArray logSoftmax(NDManager target, float[] features, boolean training) {
        Objects.requireNonNull(target, "target");
        int width = encoder.featureCount();
        if (features.length == 0 || features.length % width != 0) {
            throw new IllegalArgumentException(
                    "features hold "
                            + features.length
                            + " floats, not a non-empty batch of rows of "
                            + width);
        }
        NDArray input = target.create(features, new Shape(features.length / width, width));
        NDList logits =
                block.forward(new ParameterStore(target, false), new NDList(input), training);
        return logits.singletonOrThrow().logSoftmax(1);
    }

    /** Log-probabilities of every action for each observation, computed in float32. */
    public float[][] logProbabilities(List<String> observations) {
        try (NDManager scratch = newScratchManager()) {
            float[] flat = logSoftmax(scratch, observations, false).toFloatArray();
            int width = spec.actions().size();
            float[][] rows = new float[observations.size()][];
            for (int i = 0; i < rows.length; i++) {
                rows[i] = Arrays.copyOfRange(flat, i * width, (i + 1) * width);
            }
            return rows;
        }
    }

    /** Log-probabilities of every action for one observation, computed in float32. */
    public float[] logProbabilities(String observation) {
        return logProbabilities(List.of(observation))[0];
    }

    /**
     * A child of the network's manager for one computation's temporaries; close it when done so
     * that repeated calls do not accumulate native memory.
     */
    public NDManager newScratchManager() {
        return manager.newSubManager();
    }

    /**
     * The trainable arrays by name ({@code hidden1.weight}, {@code hidden1.bias}, …, {@code
     * logits.bias}), always in that order. They are the live parameters: they require gradients,
     * and an optimizer updates them in place (through {@link NDArray#stopGradient()} views).
     */
    public Map<String, NDArray> trainableArrays() {
        return trainable;
    }

    /** A copy of every weight, by name in {@link #trainableArrays()} order. */
    public Map<String, float[]> weights() {
        Map<String, float[]> copy = new LinkedHashMap<>();
        trainable.forEach((name, array) -> copy.put(name, array.toFloatArray()));
        return copy;
    }

    /**
     * Writes the spec and every weight, bit for bit, in this class's format (big-endian: magic,
     * format version, spec, then per array its name, shape and floats).
     */
    public void writeTo(DataOutputStream out) throws IOException {
        out.writeInt(MAGIC);
        out.writeInt(FORMAT_VERSION);
        out.writeInt(spec.rows());
        out.writeInt(spec.cols());
        out.writeInt(spec.hiddenSize());
        out.writeUTF(spec.activation().name());
        out.writeInt(spec.actions().size());
        for (String action : spec.actions()) {
            out.writeUTF(action);
        }
        out.writeInt(trainable.size());
        for (Map.Entry<String, NDArray> entry : trainable.entrySet()) {
            NDArray array = entry.getValue();
            NamedArrays.write(out, entry.getKey(), array.getShape(), array.toFloatArray());
        }
    }

    /**
     * Reads a network written by {@link #writeTo}.
     *
     * @throws IOException if the stream ends early or is not a policy network of this format
     */
    public static PolicyNetwork readFrom(DataInputStream in) throws IOException {
        int magic = in.readInt();
        if (magic != MAGIC) {
            throw new IOException(
                    String.format(
                            "not a policy network: magic 0x%08x, expected 0x%08x", magic, MAGIC));
        }
        int format = in.readInt();
        if (format != FORMAT_VERSION) {
            throw new IOException(
                    "policy network format "
                            + format
                            + " is not supported; expected "
                            + FORMAT_VERSION);
        }
        NetworkSpec spec;
        try {
            int rows = in.readInt();
            int cols = in.readInt();
            int hidden = in.readInt();
            NetworkSpec.Activation activation = NetworkSpec.Activation.valueOf(in.readUTF());
            int actionCount = in.readInt();
            if (actionCount < 0 || actionCount > 1 << 16) {
                throw new IOException("implausible action count " + actionCount);
            }
            List<String> actions = new ArrayList<>();
            for (int i = 0; i < actionCount; i++) {
                actions.add(in.readUTF());
            }
            spec = new NetworkSpec(rows, cols, hidden, activation, actions);
        } catch (IllegalArgumentException e) {
            throw new IOException("corrupt policy network spec: " + e.getMessage(), e);
        }
        int[][] shapes = layerShapes(spec);
        int count = in.readInt();
        if (count != LAYER_NAMES.length * 2) {
            throw new IOException(
                    "policy network has " + count + " arrays, expected " + LAYER_NAMES.length * 2);
        }
        Map<String, float[]> values = new LinkedHashMap<>();
        for (int i = 0; i < LAYER_NAMES.length; i++) {
            int out = shapes[i][0];
            int inSize = shapes[i][1];
            values.put(
                    LAYER_NAMES[i] + ".weight",
                    NamedArrays.read(in, LAYER_NAMES[i] + ".weight", new Shape(out, inSize)));
            values.put(
                    LAYER_NAMES[i] + ".bias",
                    NamedArrays.read(in, LAYER_NAMES[i] + ".bias", new Shape(out)));
        }
        return new PolicyNetwork(spec, values);
    }

    /**
     * Native arrays now attached to this network, its parameters and any scratch managers still
     * open: constant between calls unless something leaks.
     */
    public int liveArrayCount() {
        return manager.getManagedArrays().size();
    }

    /** Frees the network's native memory; the network cannot be used afterwards. */
    @Override
    public void close() {
        manager.close();
    }

    /** {@code [out, in]} of each linear layer, as DJL lays out its weight. */
    private static int[][] layerShapes(NetworkSpec spec) {
        int hidden = spec.hiddenSize();
        return new int[][] {
            {hidden, spec.inputSize()}, {hidden, hidden}, {spec.actions().size(), hidden}
        };
    }

    private static Initializer fixed(float[] values) {
        Objects.requireNonNull(values, "values");
        return (manager, shape, dataType) -> {
            if (shape.size() != values.length) {
                throw new IllegalStateException(
                        "parameter of shape " + shape + " given " + values.length + " values");
            }
            return manager.create(values, shape);
        };
    }

    private static Block activationBlock(NetworkSpec.Activation activation) {
        return switch (activation) {
            case RELU -> ai.djl.nn.Activation.reluBlock();
            case TANH -> ai.djl.nn.Activation.tanhBlock();
        };
    }
}
