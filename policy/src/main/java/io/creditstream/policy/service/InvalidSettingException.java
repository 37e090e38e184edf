package io.creditstream.policy.service;

import java.util.Objects;

/**
 * A learner or fleet setting that cannot work, naming the setting by its command-line name (without
 * the leading dashes) so that the CLI can point at the flag to fix.
 */
public final class InvalidSettingException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final String setting;
    private final String problem;

    /**
     * @param setting the setting's command-line name, e.g. {@code batch-records}
     * @param problem what is wrong and what would be right
     */
    public InvalidSettingException(String setting, String problem) {
        this(setting, problem, null);
    }

    /** As {@link #InvalidSettingException(String, String)}, keeping the underlying cause. */
    public InvalidSettingException(String setting, String problem, Throwable cause) {
        super(setting + ": " + problem, cause);
        this.setting = Objects.requireNonNull(setting, "setting");
        this.problem = Objects.requireNonNull(problem, "problem");
    }

    /** The setting's command-line name, e.g. {@code batch-records}. */
    public String setting() {
        return setting;
    }

    /** What is wrong with it and what would be right. */
    public String problem() {
        return problem;
    }
}
