/**
 * Knapsack RL rollout budgets (docs/ALGORITHMS.md §4): the per-task success-rate estimate ({@link
 * SuccessRateTracker}) and the knapsack solver ({@link KnapsackSolver}).
 */
package io.creditstream.operators.core.budget;
