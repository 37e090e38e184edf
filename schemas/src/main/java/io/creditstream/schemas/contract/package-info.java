/**
 * The names that cross a process boundary, defined once in the module every side depends on: the
 * default topic names ({@link io.creditstream.schemas.contract.Topics}), the keys of a policy
 * snapshot's metrics ({@link io.creditstream.schemas.contract.SnapshotMetrics}), and how the demo
 * starts the learner and the DJL fleet as child JVMs without depending on their module ({@link
 * io.creditstream.schemas.contract.PolicyProcess}). The records themselves are the Avro classes of
 * {@code io.creditstream.schemas}.
 */
package io.creditstream.schemas.contract;
