package io.creditstream.operators.flink.credit;

import io.creditstream.operators.core.credit.AdvantageRecords;
import io.creditstream.operators.core.input.DeadLetterReason;
import io.creditstream.operators.flink.CreditMetrics;
import io.creditstream.operators.flink.DeadLetters;
import io.creditstream.schemas.AdvantageBatch;
import io.creditstream.schemas.DeadLetter;
import io.creditstream.schemas.codec.AvroCodec;
import io.creditstream.schemas.internal.Trajectory;
import io.creditstream.schemas.internal.TrajectoryGroup;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

/**
 * Failure isolation for the estimators: a group the estimator cannot handle (it throws, or returns
 * a non-finite number) goes to the dead letters, one letter per trajectory, instead of failing the
 * task. A failing task would restore from its checkpoint, meet the same group and fail again,
 * stopping every experiment for good.
 */
public final class GroupFailures {
    private final AvroCodec<Trajectory> codec = AvroCodec.of(Trajectory.class);
    private final Map<DeadLetterReason, Counter> deadLettered;

    public GroupFailures(MetricGroup metrics) {
        deadLettered = CreditMetrics.deadLetterCounters(metrics);
    }

    /**
     * Runs {@code estimate} on {@code group}: returns its batch when every number in it is finite;
     * otherwise dead-letters the group through {@code deadLetters} and returns null.
     */
    public AdvantageBatch guard(
            TrajectoryGroup group,
            Function<TrajectoryGroup, AdvantageBatch> estimate,
            long now,
            Consumer<DeadLetter> deadLetters) {
        AdvantageBatch batch;
        try {
            batch = estimate.apply(group);
        } catch (RuntimeException e) {
            reject(group, DeadLetterReason.ESTIMATOR_FAILURE, describe(e), now, deadLetters);
            return null;
        }
        String nonFinite = AdvantageRecords.firstNonFinite(batch);
        if (nonFinite != null) {
            reject(group, DeadLetterReason.NON_FINITE_ADVANTAGE, nonFinite, now, deadLetters);
            return null;
        }
        return batch;
    }

    private void reject(
            TrajectoryGroup group,
            DeadLetterReason reason,
            String detail,
            long now,
            Consumer<DeadLetter> deadLetters) {
        Counter counter = deadLettered.get(reason);
        for (Trajectory trajectory : group.getTrajectories()) {
            counter.inc();
            deadLetters.accept(
                    DeadLetters.of(
                            codec.encode(trajectory),
                            null,
                            null,
                            null,
                            reason,
                            "group "
                                    + group.getGroupId()
                                    + " of experiment "
                                    + group.getExperimentId()
                                    + ": "
                                    + detail
                                    + "; the payload is the Trajectory",
                            trajectory.getEpisodeId(),
                            now));
        }
    }

    private static String describe(RuntimeException e) {
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }
}
