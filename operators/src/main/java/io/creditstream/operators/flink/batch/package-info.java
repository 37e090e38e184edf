/**
 * Per-group advantage records packed into learner batches under the record and byte limits ({@link
 * AdvantageBatchOperator}).
 */
package io.creditstream.operators.flink.batch;
