package io.creditstream.policy.service;

import java.util.Locale;

/**
 * What a learner does when the offset its checkpoint saved for a partition of the batch topic lies
 * past that partition's end. Offsets never shrink in a live partition, so this means the topic was
 * deleted and re-created (or truncated) since the checkpoint was saved: the saved offset no longer
 * names a position in the records the learner trained on, and only an operator knows whether the
 * new log should be trained on.
 */
public enum OffsetPastEnd {
    /** Refuse to start, naming the partition and its offsets (the default). */
    FAIL,
    /** Train on everything now in the partition, from its log start. */
    EARLIEST,
    /** Skip what is now in the partition and train only on batches written from now on. */
    LATEST;

    /** The lower-case name used on the command line. */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The choice named {@code name}, case-insensitively.
     *
     * @throws IllegalArgumentException for any other name, listing the valid ones
     */
    public static OffsetPastEnd parse(String name) {
        for (OffsetPastEnd choice : values()) {
            if (choice.name().equalsIgnoreCase(name == null ? "" : name.trim())) {
                return choice;
            }
        }
        throw new IllegalArgumentException(
                "unknown choice '" + name + "'; use fail, earliest or latest");
    }
}
