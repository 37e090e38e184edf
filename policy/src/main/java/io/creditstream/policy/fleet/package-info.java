/**
 * The DJL fleet process: {@link io.creditstream.policy.fleet.FleetService} plays the key-and-door
 * maze with the experiment's newest policy snapshot through the fleet module's {@link
 * io.creditstream.fleet.FleetRunner}, paced by the learner's backlog, and writes {@code
 * agent.steps}.
 */
package io.creditstream.policy.fleet;
