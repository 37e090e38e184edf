package io.creditstream.policy.model;

import java.util.List;
import java.util.Objects;

/**
 * Turns a key-and-door maze observation into the policy's input features, so that the network sees
 * exactly what the fleet's environment prints and nothing the learner would have to guess.
 *
 * <p>An observation is {@code rows} grid lines of {@code cols} cells, then the key line ({@value
 * #HOLDS_KEY} or {@value #HOLDS_NOTHING}) and the door line ({@value #DOOR_OPEN} or {@value
 * #DOOR_LOCKED}), joined by {@code '\n'}. The features are, cell by cell in row-major order, a
 * one-hot over {@link #ALPHABET}, then two flags: holds the key, door open. So the feature of cell
 * {@code (r, c)} holding {@code ch} is at {@code (r * cols + c) * 7 + ALPHABET.indexOf(ch)}, and
 * the flags are the last two features.
 *
 * <p>Anything else is rejected with an {@link IllegalArgumentException} that names the line, the
 * expected size or the bad character: a mis-sized maze must not be silently fed to a network
 * trained on another size. Instances are immutable and thread-safe.
 */
public final class ObservationEncoder {

    /**
     * The cell alphabet, in feature order: wall, free, agent, key, locked door, open door, goal.
     */
    public static final String ALPHABET = "#.@kD/G";

    /** The key line when the agent holds the key. */
    public static final String HOLDS_KEY = "You hold the key.";

    /** The key line when the agent holds nothing. */
    public static final String HOLDS_NOTHING = "You hold nothing.";

    /** The door line when the door is open. */
    public static final String DOOR_OPEN = "The door is open.";

    /** The door line when the door is locked. */
    public static final String DOOR_LOCKED = "The door is locked.";

    private final int rows;
    private final int cols;

    /**
     * An encoder for mazes of {@code rows} by {@code cols} cells.
     *
     * @throws IllegalArgumentException if either is not positive
     */
    public ObservationEncoder(int rows, int cols) {
        if (rows <= 0 || cols <= 0) {
            throw new IllegalArgumentException(
                    "maze size must be positive, got " + rows + " rows x " + cols + " cols");
        }
        this.rows = rows;
        this.cols = cols;
    }

    /** Grid rows the encoder expects. */
    public int rows() {
        return rows;
    }

    /** Grid columns the encoder expects. */
    public int cols() {
        return cols;
    }

    /**
     * Length of every feature vector: {@code rows * cols * 7} one-hot cells, the two flags, then
     * the agent-centred features of {@link EgocentricFeatures}.
     */
    public int featureCount() {
        return rows * cols * ALPHABET.length() + 2 + EgocentricFeatures.COUNT;
    }

    /** Index of the first agent-centred feature. */
    public int egocentricIndex() {
        return doorOpenIndex() + 1;
    }

    /** Index of the "holds the key" flag. */
    public int holdsKeyIndex() {
        return rows * cols * ALPHABET.length();
    }

    /** Index of the "door is open" flag. */
    public int doorOpenIndex() {
        return holdsKeyIndex() + 1;
    }

    /**
     * Encodes one observation.
     *
     * @throws IllegalArgumentException if the observation is malformed or of another size
     */
    public float[] encode(String observation) {
        float[] features = new float[featureCount()];
        encodeInto(observation, features, 0);
        return features;
    }

    /**
     * Encodes a batch into one row-major {@code [observations.size(), featureCount()]} array, the
     * layout a network input wants.
     *
     * @throws IllegalArgumentException if any observation is malformed; the message says which
     */
    public float[] encodeBatch(List<String> observations) {
        Objects.requireNonNull(observations, "observations");
        int width = featureCount();
        float[] batch = new float[Math.multiplyExact(observations.size(), width)];
        for (int i = 0; i < observations.size(); i++) {
            try {
                encodeInto(observations.get(i), batch, i * width);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "observation " + i + " of the batch: " + e.getMessage(), e);
            }
        }
        return batch;
    }

    private void encodeInto(String observation, float[] out, int offset) {
        if (observation == null) {
            throw new IllegalArgumentException("observation is null");
        }
        String[] lines = observation.split("\n", -1);
        int expectedLines = rows + 2;
        if (lines.length != expectedLines) {
            throw new IllegalArgumentException(
                    "observation has "
                            + lines.length
                            + " lines, expected "
                            + expectedLines
                            + " ("
                            + rows
                            + " grid rows of "
                            + cols
                            + " cells, then the key line and the door line)");
        }
        for (int r = 0; r < rows; r++) {
            String line = lines[r];
            int lineNumber = r + 1;
            if (line.length() != cols) {
                throw new IllegalArgumentException(
                        "line "
                                + lineNumber
                                + " has "
                                + line.length()
                                + " cells, expected "
                                + cols
                                + " (maze of "
                                + rows
                                + "x"
                                + cols
                                + ")");
            }
            for (int c = 0; c < cols; c++) {
                char ch = line.charAt(c);
                int symbol = ALPHABET.indexOf(ch);
                if (symbol < 0) {
                    throw new IllegalArgumentException(
                            "line "
                                    + lineNumber
                                    + ", column "
                                    + (c + 1)
                                    + ": bad character "
                                    + describe(ch)
                                    + ", expected one of "
                                    + ALPHABET);
                }
                out[offset + (r * cols + c) * ALPHABET.length() + symbol] = 1f;
            }
        }
        float holdsKey = flag(lines[rows], rows + 1, HOLDS_KEY, HOLDS_NOTHING);
        float doorOpen = flag(lines[rows + 1], rows + 2, DOOR_OPEN, DOOR_LOCKED);
        out[offset + holdsKeyIndex()] = holdsKey;
        out[offset + doorOpenIndex()] = doorOpen;
        EgocentricFeatures.encode(
                java.util.Arrays.copyOf(lines, rows),
                holdsKey == 1f,
                doorOpen == 1f,
                out,
                offset + egocentricIndex());
    }

    private static float flag(String line, int lineNumber, String yes, String no) {
        if (line.equals(yes)) {
            return 1f;
        }
        if (line.equals(no)) {
            return 0f;
        }
        throw new IllegalArgumentException(
                "line "
                        + lineNumber
                        + " is \""
                        + line
                        + "\", expected \""
                        + yes
                        + "\" or \""
                        + no
                        + "\"");
    }

    private static String describe(char ch) {
        if (ch >= 0x20 && ch < 0x7f) {
            return "'" + ch + "'";
        }
        return String.format("U+%04X", (int) ch);
    }
}
