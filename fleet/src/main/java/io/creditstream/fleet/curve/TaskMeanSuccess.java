package io.creditstream.fleet.curve;

import java.util.HashMap;
import java.util.Map;

/**
 * The success rate averaged over tasks, each task weighted equally: every task keeps a window of
 * its own most recent episodes, and the figure is the mean of their rates.
 *
 * <p>A success rate over the last n episodes of the whole fleet weights each task by how many
 * rollouts it was given. With uniform groups that is the same for every task; with knapsack budgets
 * the solved tasks get few rollouts and the half-solved many, so that window reads lower than the
 * policy's success on the task population, and budgets look slower than they are. This figure
 * compares the two allocations fairly.
 */
public final class TaskMeanSuccess {
    private final int episodesPerTask;
    private final Map<String, EpisodeWindow> tasks = new HashMap<>();

    /**
     * @param episodesPerTask the most recent episodes of each task that count
     */
    public TaskMeanSuccess(int episodesPerTask) {
        if (episodesPerTask < 1) {
            throw new IllegalArgumentException(
                    "episodesPerTask must be >= 1, got " + episodesPerTask);
        }
        this.episodesPerTask = episodesPerTask;
    }

    public void add(String taskId, boolean success) {
        tasks.computeIfAbsent(taskId, t -> new EpisodeWindow(episodesPerTask)).add(success, 1);
    }

    /** The mean over the tasks seen of each one's success rate; NaN before any episode. */
    public double mean() {
        if (tasks.isEmpty()) {
            return Double.NaN;
        }
        double sum = 0;
        for (EpisodeWindow window : tasks.values()) {
            sum += window.successRate();
        }
        return sum / tasks.size();
    }

    /** How many distinct tasks have finished an episode. */
    public int tasks() {
        return tasks.size();
    }
}
