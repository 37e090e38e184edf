package io.creditstream.fleet.curve;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;

/**
 * A Markdown summary of learning curves: per run and per label, the episodes to reach 50% and 80%
 * success, the final success rate and the wall time. A label's milestone is given as the mean over
 * the runs that reached it, their range, and how many did.
 */
public final class CurveSummary {

    /** The success rates whose first crossing the summary reports. */
    public static final double[] MILESTONES = {0.5, 0.8};

    private CurveSummary() {}

    /** The summary of {@code curves}, their success rates taken over {@code window} episodes. */
    public static String of(List<Curve> curves, int window) {
        StringBuilder out = new StringBuilder();
        out.append(
                String.format(
                        Locale.ROOT,
                        "| run | seed | episodes | to 50%% | to 80%% | final success (last %d) |"
                                + " final mean length | wall s |%n|---|---|---|---|---|---|---|---|%n",
                        window));
        Map<String, List<Curve>> byLabel = new LinkedHashMap<>();
        for (Curve curve : curves) {
            byLabel.computeIfAbsent(curve.label(), k -> new ArrayList<>()).add(curve);
            CurvePoint last = curve.last();
            out.append(
                    String.format(
                            Locale.ROOT,
                            "| %s | %d | %,d | %s | %s | %.3f | %.1f | %.0f |%n",
                            curve.label(),
                            curve.seed(),
                            last.episodes(),
                            milestone(curve.episodesToReach(MILESTONES[0]), last.episodes()),
                            milestone(curve.episodesToReach(MILESTONES[1]), last.episodes()),
                            last.successRate(),
                            last.meanEpisodeLength(),
                            last.wallSeconds()));
        }
        out.append(
                String.format(
                        "%n| estimator | runs | to 50%% mean [min-max] (reached) | to 80%% mean"
                                + " [min-max] (reached) | final success mean [min-max] | wall s"
                                + " mean |%n|---|---|---|---|---|---|%n"));
        for (Map.Entry<String, List<Curve>> entry : byLabel.entrySet()) {
            List<Curve> runs = entry.getValue();
            double finalSum = 0;
            double finalMin = Double.POSITIVE_INFINITY;
            double finalMax = Double.NEGATIVE_INFINITY;
            double wall = 0;
            for (Curve curve : runs) {
                double rate = curve.last().successRate();
                finalSum += rate;
                finalMin = Math.min(finalMin, rate);
                finalMax = Math.max(finalMax, rate);
                wall += curve.last().wallSeconds();
            }
            out.append(
                    String.format(
                            Locale.ROOT,
                            "| %s | %d | %s | %s | %.3f [%.3f-%.3f] | %.0f |%n",
                            entry.getKey(),
                            runs.size(),
                            aggregate(runs, MILESTONES[0]),
                            aggregate(runs, MILESTONES[1]),
                            finalSum / runs.size(),
                            finalMin,
                            finalMax,
                            wall / runs.size()));
        }
        return out.toString();
    }

    private static String milestone(OptionalLong episodes, long budget) {
        return episodes.isPresent()
                ? String.format(Locale.ROOT, "%,d", episodes.getAsLong())
                : String.format(Locale.ROOT, "not by %,d", budget);
    }

    private static String aggregate(List<Curve> runs, double rate) {
        long sum = 0;
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        int reached = 0;
        long budget = 0;
        for (Curve curve : runs) {
            budget = Math.max(budget, curve.last().episodes());
            OptionalLong episodes = curve.episodesToReach(rate);
            if (episodes.isPresent()) {
                long e = episodes.getAsLong();
                sum += e;
                min = Math.min(min, e);
                max = Math.max(max, e);
                reached++;
            }
        }
        if (reached == 0) {
            return String.format(Locale.ROOT, "not by %,d (0/%d)", budget, runs.size());
        }
        return String.format(
                Locale.ROOT,
                "%,d [%,d-%,d] (%d/%d)",
                Math.round((double) sum / reached),
                min,
                max,
                reached,
                runs.size());
    }
}
