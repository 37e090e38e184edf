/**
 * Raw {@code agent.steps} records decoded and validated ({@link DecodeStepFunction}), or steps
 * already decoded encoded again ({@link EncodeStepFunction}), into the encoded steps that assembly
 * takes.
 */
package io.creditstream.operators.flink.input;
