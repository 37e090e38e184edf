package io.creditstream.tools.bench;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.apache.flink.api.common.functions.FilterFunction;

/**
 * Counts the steps a benchmark job's sources have read, and samples that count with the process's
 * CPU time while the job runs. The count comes from a pass-everything filter chained to the source,
 * which adds the same few nanoseconds to every job measured. The job runs on a MiniCluster in this
 * JVM, so its tasks see the same static counter the sampler reads; Flink's metrics would need a
 * reporter and a scrape interval coarser than the window.
 */
final class StepProgress {
    private static final ConcurrentMap<String, LongAdder> COUNTERS = new ConcurrentHashMap<>();
    private static final OperatingSystemMXBean OS =
            (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    private StepProgress() {}

    /** A filter that counts every record under {@code name} and lets it pass. */
    static <T> FilterFunction<T> counting(String name) {
        COUNTERS.put(name, new LongAdder());
        return new CountingFilter<>(name);
    }

    static long count(String name) {
        LongAdder counter = COUNTERS.get(name);
        return counter == null ? 0 : counter.sum();
    }

    /** The CPU time of this process (every thread: broker, job, GC, JIT). */
    static long processCpuNanos() {
        return OS.getProcessCpuTime();
    }

    static SteadyWindow.Sample sample(String name) {
        return new SteadyWindow.Sample(System.nanoTime(), count(name), processCpuNanos());
    }

    /**
     * Samples {@code name} every {@code intervalMillis} until {@code done} completes; the last
     * sample is taken after it completed.
     */
    static List<SteadyWindow.Sample> sampleUntil(String name, Future<?> done, long intervalMillis)
            throws InterruptedException {
        List<SteadyWindow.Sample> samples = new ArrayList<>();
        while (!done.isDone()) {
            samples.add(sample(name));
            try {
                done.get(intervalMillis, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException
                    | java.util.concurrent.ExecutionException e) {
                // Not done yet, or failed: the caller reads the outcome from the future.
            }
        }
        samples.add(sample(name));
        return samples;
    }

    static void forget(String name) {
        COUNTERS.remove(name);
    }

    private static final class CountingFilter<T> implements FilterFunction<T> {
        private final String name;
        private transient LongAdder counter;

        CountingFilter(String name) {
            this.name = name;
        }

        @Override
        public boolean filter(T value) {
            if (counter == null) {
                counter = COUNTERS.get(name);
                if (counter == null) {
                    throw new IllegalStateException(
                            "step counter "
                                    + name
                                    + " is not registered in this JVM: the benchmark must run"
                                    + " its jobs on a local MiniCluster");
                }
            }
            counter.increment();
            return true;
        }
    }
}
