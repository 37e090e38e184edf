/**
 * Assembly rules: when an episode is complete ({@link EpisodeProgress}) and when a rollout group is
 * ({@link GroupProgress}), the fingerprint that tells a re-sent step apart ({@link PayloadHash}),
 * the packing of a trajectory's encoded steps ({@link StepPayloads}), the keys scoped by experiment
 * ({@link ScopedKey}), and the builders of trajectory and group records ({@link Trajectories},
 * {@link TrajectoryGroups}).
 */
package io.creditstream.operators.core.assembly;
