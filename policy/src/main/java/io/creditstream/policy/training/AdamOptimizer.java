package io.creditstream.policy.training;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.creditstream.policy.model.NamedArrays;
import io.creditstream.policy.model.PolicyNetwork;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Adam over a {@link PolicyNetwork}'s trainable arrays, with its state (step count, first and
 * second moments per array) held here in plain NDArrays so that a checkpoint can save it and a
 * restart continue bit for bit; DJL's own optimizers keep that state where it cannot be saved.
 *
 * <p>The update is PyTorch's {@code torch.optim.Adam} without weight decay: {@code m ← β1·m +
 * (1−β1)·g}, {@code v ← β2·v + (1−β2)·g²}, {@code w ← w − lr/(1−β1ᵗ) · m / (sqrt(v)/sqrt(1−β2ᵗ) +
 * ε)}. Parameters are changed in place through {@link NDArray#stopGradient()} views, which share
 * their storage but are not autograd leaves, so the update never touches the autograd graph.
 *
 * <p>It owns native memory for the moments: close it. Not thread-safe.
 */
public final class AdamOptimizer implements AutoCloseable {

    /** Decay of the first moment. */
    public static final double DEFAULT_BETA1 = 0.9;

    /** Decay of the second moment. */
    public static final double DEFAULT_BETA2 = 0.999;

    /** Added to the denominator for numerical safety. */
    public static final double DEFAULT_EPSILON = 1e-8;

    private final PolicyNetwork network;
    private final double beta1;
    private final double beta2;
    private final double epsilon;
    private final NDManager manager;
    private final Map<String, NDArray> firstMoments;
    private final Map<String, NDArray> secondMoments;
    private long steps;

    /** A fresh optimizer for {@code network} with the default betas and ε. */
    public AdamOptimizer(PolicyNetwork network) {
        this(network, DEFAULT_BETA1, DEFAULT_BETA2, DEFAULT_EPSILON);
    }

    /**
     * A fresh optimizer (zero moments, step 0) for {@code network}.
     *
     * @throws IllegalArgumentException if a beta is not in [0, 1) or ε is not positive
     */
    public AdamOptimizer(PolicyNetwork network, double beta1, double beta2, double epsilon) {
        this(network, beta1, beta2, epsilon, 0, null);
    }

    private AdamOptimizer(
            PolicyNetwork network,
            double beta1,
            double beta2,
            double epsilon,
            long steps,
            Map<String, float[][]> moments) {
        this.network = Objects.requireNonNull(network, "network");
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException(
                    "Adam betas must be in [0, 1), got " + beta1 + " and " + beta2);
        }
        if (!(epsilon > 0) || !Double.isFinite(epsilon)) {
            throw new IllegalArgumentException("Adam epsilon must be positive, got " + epsilon);
        }
        if (steps < 0) {
            throw new IllegalArgumentException("step count must be >= 0, got " + steps);
        }
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
        this.steps = steps;
        this.manager = NDManager.newBaseManager(Device.cpu(), PolicyNetwork.ENGINE);
        Map<String, NDArray> first = new LinkedHashMap<>();
        Map<String, NDArray> second = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> entry : network.trainableArrays().entrySet()) {
            String name = entry.getKey();
            NDArray parameter = entry.getValue();
            if (moments == null) {
                first.put(name, manager.zeros(parameter.getShape(), parameter.getDataType()));
                second.put(name, manager.zeros(parameter.getShape(), parameter.getDataType()));
            } else {
                float[][] saved = moments.get(name);
                first.put(name, manager.create(saved[0], parameter.getShape()));
                second.put(name, manager.create(saved[1], parameter.getShape()));
            }
        }
        this.firstMoments = Collections.unmodifiableMap(first);
        this.secondMoments = Collections.unmodifiableMap(second);
    }

    /** Adam steps taken so far; bias correction uses it. */
    public long steps() {
        return steps;
    }

    /**
     * Applies one Adam step with {@code gradients} (by trainable-array name, all of them) to the
     * network's parameters. Temporaries go to {@code scratch}, and gradients not already attached
     * to it are moved there, so that closing {@code scratch} frees everything the step made.
     */
    public void step(Map<String, NDArray> gradients, double learningRate, NDManager scratch) {
        long t = steps + 1;
        double biasCorrection1 = 1 - Math.pow(beta1, t);
        double biasCorrection2 = 1 - Math.pow(beta2, t);
        float stepSize = (float) (learningRate / biasCorrection1);
        float sqrtBiasCorrection2 = (float) Math.sqrt(biasCorrection2);
        for (Map.Entry<String, NDArray> entry : network.trainableArrays().entrySet()) {
            String name = entry.getKey();
            NDArray gradient = gradients.get(name);
            if (gradient == null) {
                throw new IllegalArgumentException("no gradient for " + name);
            }
            NDArray m = firstMoments.get(name);
            NDArray v = secondMoments.get(name);
            // Operations attach their result to the receiver's manager: every temporary below
            // starts from an array in scratch, so none of them lands in the optimizer's manager.
            m.muli((float) beta1).addi(inScratch(gradient, scratch).mul((float) (1 - beta1)));
            v.muli((float) beta2)
                    .addi(inScratch(gradient, scratch).square().muli((float) (1 - beta2)));
            NDArray denominator =
                    inScratch(v.sqrt(), scratch).divi(sqrtBiasCorrection2).addi((float) epsilon);
            NDArray update = inScratch(m.div(denominator), scratch).muli(stepSize);
            inScratch(entry.getValue().stopGradient(), scratch).subi(update);
        }
        steps = t;
    }

    private static NDArray inScratch(NDArray array, NDManager scratch) {
        if (array.getManager() != scratch) {
            array.attach(scratch);
        }
        return array;
    }

    /** Native arrays the optimizer holds: two per trainable array unless something leaks. */
    int liveArrayCount() {
        return manager.getManagedArrays().size();
    }

    /** Writes betas, ε, step count and every moment, bit for bit. */
    public void writeTo(DataOutputStream out) throws IOException {
        out.writeDouble(beta1);
        out.writeDouble(beta2);
        out.writeDouble(epsilon);
        out.writeLong(steps);
        out.writeInt(firstMoments.size());
        for (String name : firstMoments.keySet()) {
            NDArray m = firstMoments.get(name);
            NDArray v = secondMoments.get(name);
            NamedArrays.write(out, name + ".m", m.getShape(), m.toFloatArray());
            NamedArrays.write(out, name + ".v", v.getShape(), v.toFloatArray());
        }
    }

    /**
     * Reads an optimizer written by {@link #writeTo} for {@code network}, which must have the same
     * arrays as the one it was saved with.
     *
     * @throws IOException if the stream ends early or does not fit the network
     */
    public static AdamOptimizer readFrom(DataInputStream in, PolicyNetwork network)
            throws IOException {
        double beta1 = in.readDouble();
        double beta2 = in.readDouble();
        double epsilon = in.readDouble();
        long steps = in.readLong();
        int count = in.readInt();
        Map<String, NDArray> parameters = network.trainableArrays();
        if (count != parameters.size()) {
            throw new IOException(
                    "optimizer state has moments for "
                            + count
                            + " arrays, the network has "
                            + parameters.size());
        }
        Map<String, float[][]> moments = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> entry : parameters.entrySet()) {
            String name = entry.getKey();
            float[] m = NamedArrays.read(in, name + ".m", entry.getValue().getShape());
            float[] v = NamedArrays.read(in, name + ".v", entry.getValue().getShape());
            moments.put(name, new float[][] {m, v});
        }
        try {
            return new AdamOptimizer(network, beta1, beta2, epsilon, steps, moments);
        } catch (IllegalArgumentException e) {
            throw new IOException("corrupt optimizer state: " + e.getMessage(), e);
        }
    }

    /** Frees the moments' native memory. */
    @Override
    public void close() {
        manager.close();
    }
}
