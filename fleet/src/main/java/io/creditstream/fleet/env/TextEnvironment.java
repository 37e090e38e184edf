package io.creditstream.fleet.env;

import java.util.List;

/**
 * A multi-step text environment in the style of ALFWorld or WebShop: observations and actions are
 * short strings, and one instance runs one episode at a time.
 */
public interface TextEnvironment {

    /**
     * Starts a new episode of the task that {@code taskSeed} identifies and returns the first
     * observation; the same seed always yields the same task.
     */
    String reset(long taskSeed);

    /**
     * Applies {@code action} to the current episode.
     *
     * @throws IllegalStateException before {@link #reset} or after the episode is done
     */
    StepResult step(String action);

    /** Every action the environment understands, in a fixed order (some may be useless). */
    List<String> actions();
}
