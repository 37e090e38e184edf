package io.creditstream.fleet.env;

/**
 * What one environment step returns: the next observation, the immediate reward, whether the
 * episode ended, and whether the action was invalid (the environment ignored it).
 */
public record StepResult(String observation, double reward, boolean done, boolean invalid) {}
