/**
 * The stateless estimators as Flink functions: {@link StalenessFilter} in front of them, {@link
 * CreditAssignFunction}, and what every estimator operator shares: {@link CreditQualityMetrics} and
 * {@link GroupFailures}.
 */
package io.creditstream.operators.flink.credit;
