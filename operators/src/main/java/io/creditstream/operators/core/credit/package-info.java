/**
 * The stateless estimators GRPO, RLOO, Dr.GRPO and GiGPO (docs/ALGORITHMS.md §0–§2): {@link
 * CreditEstimator} dispatches on the estimator, {@link GroupNormalizer} is the verl normalisation
 * they share and {@link GigpoStepAdvantage} is GiGPO's anchor-state step level. {@link
 * GroupCreditAssigner} and {@link AdvantageRecords} turn a group's records into the kernels' input
 * and their credit into advantage records; {@link StalenessPolicy} drops the trajectories of a too
 * old policy before any estimator runs.
 */
package io.creditstream.operators.core.credit;
