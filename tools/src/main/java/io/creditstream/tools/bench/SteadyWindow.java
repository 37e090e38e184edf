package io.creditstream.tools.bench;

import java.util.List;

/**
 * The steady state of one benchmark job: its rate and process CPU per step over the middle of the
 * run, between the sample where {@code from} of the steps had been read and the last sample before
 * {@code to} of them. Start-up (job submission, task deployment, source start, JIT warm-up) lies
 * before the window and the drain (sources finishing one by one, the final checkpoint that commits
 * the last transaction) after it, so neither is charged to the rate, as a job's net runtime would.
 *
 * @param seconds the window's length
 * @param steps the steps read in the window
 * @param stepsPerSecond {@code steps / seconds}
 * @param cpuMicrosPerStep the process CPU time spent in the window per step read in it
 */
public record SteadyWindow(
        double seconds, long steps, double stepsPerSecond, double cpuMicrosPerStep) {

    /** The window the benchmark uses: from 20% to 80% of the steps. */
    public static final double DEFAULT_FROM = 0.2;

    public static final double DEFAULT_TO = 0.8;

    /**
     * One look at a running job: a monotonic clock, the steps its sources had read, and the
     * process's CPU time.
     */
    public record Sample(long nanos, long steps, long cpuNanos) {}

    /**
     * The window over samples taken in time order.
     *
     * @param totalSteps the steps the job reads in all
     * @throws IllegalArgumentException when the fractions are not {@code 0 <= from < to <= 1}
     * @throws IllegalStateException when fewer than two samples fall in the window (the run was too
     *     short for the sampling interval: run more steps)
     */
    public static SteadyWindow of(List<Sample> samples, long totalSteps, double from, double to) {
        if (!(from >= 0 && from < to && to <= 1)) {
            throw new IllegalArgumentException(
                    "the steady window needs 0 <= from < to <= 1, got from " + from + ", to " + to);
        }
        if (totalSteps <= 0) {
            throw new IllegalArgumentException("totalSteps must be positive, got " + totalSteps);
        }
        long fromSteps = (long) Math.ceil(from * totalSteps);
        long toSteps = (long) Math.floor(to * totalSteps);
        Sample first = null;
        Sample last = null;
        for (Sample sample : samples) {
            if (first == null && sample.steps() >= fromSteps) {
                first = sample;
            }
            if (sample.steps() <= toSteps) {
                last = sample;
            }
        }
        if (first == null || last == null || last.nanos() <= first.nanos()) {
            throw new IllegalStateException(
                    "fewer than two samples between "
                            + Math.round(from * 100)
                            + "% and "
                            + Math.round(to * 100)
                            + "% of "
                            + totalSteps
                            + " steps ("
                            + samples.size()
                            + " samples in all): run more --steps so the steady window is"
                            + " sampled");
        }
        long steps = last.steps() - first.steps();
        double seconds = (last.nanos() - first.nanos()) / 1e9;
        double cpuMicrosPerStep =
                steps > 0 ? (last.cpuNanos() - first.cpuNanos()) / 1e3 / steps : Double.NaN;
        return new SteadyWindow(seconds, steps, steps / seconds, cpuMicrosPerStep);
    }
}
