/**
 * The learner and fleet processes: {@link io.creditstream.learner.service.LearnerService} trains on
 * {@code learner.batches} and publishes {@code policy.snapshots}; {@link
 * io.creditstream.learner.service.FleetService} plays the newest snapshot and writes {@code
 * agent.steps}.
 */
package io.creditstream.learner.service;
