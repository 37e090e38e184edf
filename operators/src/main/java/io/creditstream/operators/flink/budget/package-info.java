/**
 * The rollout-budget pipeline: a budget request expanded per task ({@link ExpandBudgetRequest}),
 * per-task statistics ({@link TaskStatsFunction}) and the round allocator that runs the knapsack
 * solver ({@link RoundAllocator}).
 */
package io.creditstream.operators.flink.budget;
