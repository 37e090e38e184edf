package io.creditstream.tools;

/** Reads values out of the Prometheus text exposition format. */
public final class PrometheusText {
    private PrometheusText() {}

    /**
     * Sum of every sample whose metric name ends with {@code suffix} (all label sets, e.g. every
     * subtask and reason); comment lines are skipped.
     */
    public static double sum(String exposition, String suffix) {
        return sum(exposition, suffix, "");
    }

    /**
     * Sum of the samples of a metric whose labels contain {@code labelFilter}, e.g. {@code
     * reason="malformed-bytes"} for one dead-letter reason over every operator and subtask.
     */
    public static double sum(String exposition, String suffix, String labelFilter) {
        return fold(exposition, suffix, labelFilter, 0, Double::sum);
    }

    /** Mean of every sample of a metric (e.g. a per-subtask ratio); 0 when there is none. */
    public static double mean(String exposition, String suffix) {
        double count = fold(exposition, suffix, "", 0, (total, value) -> total + 1);
        return count == 0 ? 0 : sum(exposition, suffix) / count;
    }

    /**
     * Mean of the samples of a metric whose labels contain {@code labelFilter}; NaN when there is
     * none (unlike {@link #mean(String, String)}: a missing comparison is not a zero one).
     */
    public static double mean(String exposition, String suffix, String labelFilter) {
        double count = fold(exposition, suffix, labelFilter, 0, (total, value) -> total + 1);
        return count == 0 ? Double.NaN : sum(exposition, suffix, labelFilter) / count;
    }

    /** Largest sample of a metric among those whose labels contain {@code labelFilter}. */
    public static double max(String exposition, String suffix, String labelFilter) {
        return fold(exposition, suffix, labelFilter, 0, Math::max);
    }

    private static double fold(
            String exposition,
            String suffix,
            String labelFilter,
            double initial,
            java.util.function.DoubleBinaryOperator combine) {
        double total = initial;
        for (String line : exposition.split("\n")) {
            if (line.isEmpty() || line.charAt(0) == '#') {
                continue;
            }
            int nameEnd = line.indexOf('{');
            int valueStart = line.lastIndexOf(' ');
            if (valueStart < 0) {
                continue;
            }
            String name = line.substring(0, nameEnd >= 0 ? nameEnd : valueStart);
            if (name.endsWith(suffix) && line.contains(labelFilter)) {
                try {
                    double value = Double.parseDouble(line.substring(valueStart + 1));
                    if (!Double.isNaN(value)) {
                        total = combine.applyAsDouble(total, value);
                    }
                } catch (NumberFormatException ignored) {
                    // not a sample line
                }
            }
        }
        return total;
    }
}
