package io.creditstream.policy.service;

import io.creditstream.policy.model.ObservationEncoder;
import io.creditstream.policy.model.PolicyNetwork;
import io.creditstream.policy.training.TrainingSample;
import io.creditstream.schemas.AdvantageRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * Turns the {@link AdvantageRecord}s of a batch into the samples an update trains on: pure logic,
 * no Kafka and no DJL.
 *
 * <p>A record becomes a {@link PendingSample} with its action's index in the network. Records
 * without an observation or action, with an action the policy does not have, a non-finite advantage
 * or behavior log-prob, or an observation that does not fit the maze are skipped ({@link
 * SkipReason}) and counted. A record without a {@code behavior_logprob} is on-policy: {@link
 * #trainingSamples} gives it the current policy's log-probability, computed just before the update.
 */
public final class SampleConverter {
    private final List<String> actions;
    private final ObservationEncoder encoder;

    /**
     * @param actions the network's actions, in output order
     * @param encoder the network's observation encoder: an observation it rejects is malformed
     */
    public SampleConverter(List<String> actions, ObservationEncoder encoder) {
        this.actions = List.copyOf(Objects.requireNonNull(actions, "actions"));
        this.encoder = Objects.requireNonNull(encoder, "encoder");
    }

    /** The converter for {@code network}'s actions and maze. */
    public static SampleConverter of(PolicyNetwork network) {
        return new SampleConverter(network.actions(), network.encoder());
    }

    /** Why a record is not trained on, or null when it is usable. */
    public SkipReason check(AdvantageRecord record) {
        if (record.getObservation() == null) {
            return SkipReason.NO_OBSERVATION;
        }
        if (record.getAction() == null) {
            return SkipReason.NO_ACTION;
        }
        if (!actions.contains(record.getAction())) {
            return SkipReason.UNKNOWN_ACTION;
        }
        if (!Double.isFinite(record.getAdvantage())
                || (record.getBehaviorLogprob() != null
                        && !Double.isFinite(record.getBehaviorLogprob()))) {
            return SkipReason.NOT_FINITE;
        }
        try {
            encoder.encode(record.getObservation());
        } catch (IllegalArgumentException e) {
            return SkipReason.MALFORMED_OBSERVATION;
        }
        return null;
    }

    /**
     * The usable samples of {@code records}, in order, with the skip counts; {@code onSkip} hears
     * of every record skipped, with the reason.
     */
    public Converted convert(
            List<AdvantageRecord> records, BiConsumer<SkipReason, AdvantageRecord> onSkip) {
        List<PendingSample> usable = new ArrayList<>(records.size());
        int skipped = 0;
        int unknownActions = 0;
        int onPolicy = 0;
        for (AdvantageRecord advantage : records) {
            SkipReason reason = check(advantage);
            if (reason != null) {
                onSkip.accept(reason, advantage);
                skipped++;
                if (reason == SkipReason.UNKNOWN_ACTION) {
                    unknownActions++;
                }
                continue;
            }
            Double behavior = advantage.getBehaviorLogprob();
            if (behavior == null) {
                onPolicy++;
            }
            usable.add(
                    new PendingSample(
                            advantage.getObservation(),
                            actions.indexOf(advantage.getAction()),
                            behavior,
                            advantage.getAdvantage()));
        }
        return new Converted(List.copyOf(usable), skipped, unknownActions, onPolicy);
    }

    /**
     * The samples in order as {@link TrainingSample}s, on-policy ones given the log-probability
     * {@code currentLogProbs} returns for their observation (one row of action log-probs per
     * observation, asked once for all of them, and not at all when there are none).
     */
    public static List<TrainingSample> trainingSamples(
            List<PendingSample> samples, Function<List<String>, float[][]> currentLogProbs) {
        List<String> onPolicyObservations = new ArrayList<>();
        for (PendingSample sample : samples) {
            if (sample.behaviorLogProb() == null) {
                onPolicyObservations.add(sample.observation());
            }
        }
        float[][] current =
                onPolicyObservations.isEmpty()
                        ? new float[0][]
                        : currentLogProbs.apply(onPolicyObservations);
        List<TrainingSample> result = new ArrayList<>(samples.size());
        int next = 0;
        for (PendingSample sample : samples) {
            double behavior =
                    sample.behaviorLogProb() != null
                            ? sample.behaviorLogProb()
                            : current[next++][sample.actionIndex()];
            result.add(
                    new TrainingSample(
                            sample.observation(),
                            sample.actionIndex(),
                            behavior,
                            sample.advantage()));
        }
        return result;
    }

    /** A usable sample waiting for its update; a null behavior log-prob means on-policy. */
    public record PendingSample(
            String observation, int actionIndex, Double behaviorLogProb, double advantage) {}

    /** One batch's usable samples and how many of its records were skipped, and why. */
    public record Converted(
            List<PendingSample> samples, int skipped, int unknownActions, int onPolicy) {}

    /** Why a record or batch was skipped, for the first-occurrence warning. */
    public enum SkipReason {
        UNDECODABLE_BATCH("values that are not AdvantageBatches"),
        OTHER_EXPERIMENT("batches of another experiment"),
        NO_OBSERVATION("advantage records without an observation"),
        NO_ACTION("advantage records without an action"),
        UNKNOWN_ACTION("advantage records whose action the policy does not have"),
        NOT_FINITE("advantage records with a non-finite advantage or behavior log-prob"),
        MALFORMED_OBSERVATION("advantage records whose observation does not fit the maze");

        private final String description;

        SkipReason(String description) {
            this.description = description;
        }

        /** What was skipped, in words. */
        public String description() {
            return description;
        }
    }
}
