/**
 * The learner process: {@link io.creditstream.learner.service.LearnerService} reads {@code
 * learner.batches}, trains and publishes {@code policy.snapshots}. Its pure parts are apart and
 * unit-tested without Kafka: {@link io.creditstream.learner.service.UpdateQueue} (which queued
 * batches form the next update) and {@link io.creditstream.learner.service.SampleConverter}
 * (advantage records to training samples). The Kafka helpers here ({@link
 * io.creditstream.learner.service.KafkaTopics}, {@link
 * io.creditstream.learner.service.PolicySnapshotReader}) and the settings types ({@link
 * io.creditstream.learner.service.Maze}, {@link
 * io.creditstream.learner.service.InvalidSettingException}) serve the DJL fleet ({@code
 * io.creditstream.learner.fleet}) too.
 */
package io.creditstream.learner.service;
