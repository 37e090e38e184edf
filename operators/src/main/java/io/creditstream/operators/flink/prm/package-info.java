/**
 * OPRL as a keyed Flink function: {@link OprlCreditFunction} keeps each shard's PRM in keyed state
 * ({@link MapStateWeights}).
 */
package io.creditstream.operators.flink.prm;
