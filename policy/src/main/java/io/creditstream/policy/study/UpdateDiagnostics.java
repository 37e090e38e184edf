package io.creditstream.policy.study;

import io.creditstream.policy.training.UpdateStats;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * One learner update of a study, with what it trained on: the row to read when a curve dips, to
 * tell an advantage spike from a gradient spike from a policy that had lost its entropy.
 *
 * @param update the update's number, from 1
 * @param episodes episodes played when it ran
 * @param successRate the curve's success rate then
 * @param meanAbsAdvantage mean |advantage| of its samples
 * @param maxAbsAdvantage largest |advantage| of its samples
 * @param stats the optimizer's statistics of the update
 */
public record UpdateDiagnostics(
        long update,
        long episodes,
        double successRate,
        double meanAbsAdvantage,
        double maxAbsAdvantage,
        UpdateStats stats) {

    /** The CSV columns of {@link #csvRow()}, in order. */
    public static final List<String> COLUMNS =
            List.of(
                    "update",
                    "episodes",
                    "success_rate",
                    "samples",
                    "optimizer_steps",
                    "mean_abs_advantage",
                    "max_abs_advantage",
                    "grad_norm",
                    "clip_fraction",
                    "approx_kl",
                    "entropy",
                    "loss");

    public UpdateDiagnostics {
        Objects.requireNonNull(stats, "stats");
    }

    /** The row for {@link #COLUMNS}, without a line break. */
    public String csvRow() {
        return String.format(
                Locale.ROOT,
                "%d,%d,%.4f,%d,%d,%.6f,%.6f,%.6f,%.4f,%.4e,%.5f,%.6f",
                update,
                episodes,
                successRate,
                stats.samples(),
                stats.optimizerSteps(),
                meanAbsAdvantage,
                maxAbsAdvantage,
                stats.gradNorm(),
                stats.clipFraction(),
                stats.approxKl(),
                stats.entropy(),
                stats.loss());
    }
}
