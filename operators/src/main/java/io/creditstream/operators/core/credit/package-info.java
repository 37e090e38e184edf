/**
 * The stateless estimators GRPO, RLOO, Dr.GRPO, GiGPO, TEMPO, PURE and IGPO (docs/ALGORITHMS.md
 * §0–§2, §5–§7): {@link CreditEstimator} dispatches on the estimator, {@link GroupNormalizer} is
 * the verl normalisation they share, {@link GigpoStepAdvantage} is GiGPO's anchor-state step level
 * and {@link TempoAdvantage}, {@link PureAdvantage} and {@link IgpoAdvantage} are the kernels of
 * the other three. {@link GroupCreditAssigner} and {@link AdvantageRecords} turn a group's records
 * into the kernels' input and their credit into advantage records; {@link StalenessPolicy} drops
 * the trajectories of a too old policy before any estimator runs.
 */
package io.creditstream.operators.core.credit;
