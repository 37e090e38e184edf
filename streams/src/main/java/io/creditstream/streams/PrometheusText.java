package io.creditstream.streams;

/** Reads values out of the Prometheus text exposition format. */
final class PrometheusText {
    private PrometheusText() {}

    /**
     * Sum of every sample whose metric name ends with {@code suffix} (all label sets, e.g. every
     * subtask and reason); comment lines are skipped.
     */
    static double sum(String exposition, String suffix) {
        double total = 0;
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
            if (name.endsWith(suffix)) {
                try {
                    total += Double.parseDouble(line.substring(valueStart + 1));
                } catch (NumberFormatException ignored) {
                    // not a sample line
                }
            }
        }
        return total;
    }
}
