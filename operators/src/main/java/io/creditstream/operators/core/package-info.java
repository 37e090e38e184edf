/**
 * The credit-assignment kernels: plain Java without Flink ({@code CoreIsFlinkFreeTest} fails on a
 * Flink import), shared by the streaming job, the offline {@code estimate} and the learner's study.
 * One package per concern; the Flink functions that adapt them live under {@code
 * io.creditstream.operators.flink}, in packages named after the same concerns.
 */
package io.creditstream.operators.core;
