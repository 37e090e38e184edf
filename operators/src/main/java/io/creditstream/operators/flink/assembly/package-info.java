/**
 * Steps into trajectories ({@link TrajectoryAssembler}, keyed by episode) and trajectories into
 * rollout groups ({@link GroupAssembler}, keyed by group), with timeouts that count only the time
 * the job ran ({@link RunningTimeouts}).
 */
package io.creditstream.operators.flink.assembly;
