/**
 * The learner process: {@link io.creditstream.policy.service.LearnerService} reads {@code
 * learner.batches}, trains and publishes {@code policy.snapshots}. Its pure parts are apart and
 * unit-tested without Kafka: {@link io.creditstream.policy.service.UpdateQueue} (which queued
 * batches form the next update) and {@link io.creditstream.policy.service.SampleConverter}
 * (advantage records to training samples). The Kafka helpers here ({@link
 * io.creditstream.policy.service.KafkaTopics}, over the topic creation the job shares, {@link
 * io.creditstream.policy.service.PolicySnapshotReader}) and the settings types ({@link
 * io.creditstream.policy.service.Maze}, {@link
 * io.creditstream.policy.service.InvalidSettingException}) serve the DJL fleet ({@code
 * io.creditstream.policy.fleet}) too.
 */
package io.creditstream.policy.service;
