package io.creditstream.fleet.policy;

/** An action a policy chose and the log-probability the policy gave it. */
public record PolicyDecision(String action, double logProb) {}
