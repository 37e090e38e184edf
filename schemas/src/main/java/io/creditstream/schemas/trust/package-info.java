/**
 * Who may move a policy version: the learner signs every {@link
 * io.creditstream.schemas.PolicySnapshot} with an Ed25519 key ({@link
 * io.creditstream.schemas.trust.SnapshotSignatures}, keys from {@link
 * io.creditstream.schemas.trust.SigningKeys}), and the job, the fleet and the learner believe a
 * snapshot only after {@link io.creditstream.schemas.trust.SnapshotGate} checked its signature and
 * how far its version jumps. Free of Kafka and Flink, so every side applies the same rule.
 */
package io.creditstream.schemas.trust;
