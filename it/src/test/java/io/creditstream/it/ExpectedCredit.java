package io.creditstream.it;

import io.creditstream.operators.core.assembly.TrajectoryGroups;
import io.creditstream.operators.core.credit.CreditParams;
import io.creditstream.operators.core.credit.GroupCreditAssigner;
import io.creditstream.operators.core.prm.ImplicitPrm;
import io.creditstream.operators.core.prm.OprlCreditAssigner;
import io.creditstream.operators.core.prm.OprlParams;
import io.creditstream.operators.core.prm.PrmParams;
import io.creditstream.operators.core.prm.PrmProgress;
import io.creditstream.schemas.AdvantageRecord;
import io.creditstream.schemas.StepEvent;
import io.creditstream.schemas.internal.TrajectoryGroup;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the job must output for a set of steps, computed directly with the kernel outside Flink: the
 * oracle the end-to-end tests compare against.
 */
final class ExpectedCredit {
    private ExpectedCredit() {}

    /** Key of one step's advantage record. */
    static String key(String episodeId, int stepIndex) {
        return episodeId + "#" + stepIndex;
    }

    static String key(AdvantageRecord record) {
        return key(record.getEpisodeId(), record.getStepIndex());
    }

    /** Every step's expected record, keyed by {@link #key}; duplicates in the input are ignored. */
    static Map<String, AdvantageRecord> of(Collection<StepEvent> steps, CreditParams params) {
        GroupCreditAssigner assigner = new GroupCreditAssigner(params);
        Map<String, AdvantageRecord> expected = new HashMap<>();
        for (TrajectoryGroup group : assemble(steps)) {
            for (AdvantageRecord record : assigner.assign(group).getRecords()) {
                expected.put(key(record), record);
            }
        }
        return expected;
    }

    /**
     * OPRL's expected records: the kernel over the groups in the order of their first step in
     * {@code steps}, one PRM per shard.
     */
    static Map<String, AdvantageRecord> oprl(
            Collection<StepEvent> steps, OprlParams oprl, PrmParams prm) {
        OprlCreditAssigner assigner = new OprlCreditAssigner(oprl, prm);
        Map<String, ImplicitPrm> models = new HashMap<>();
        Map<String, PrmProgress> progress = new HashMap<>();
        Map<String, AdvantageRecord> expected = new HashMap<>();
        for (TrajectoryGroup group : assemble(steps)) {
            String shard = assigner.shardKey(group);
            OprlCreditAssigner.Result result =
                    assigner.assign(
                            group,
                            models.computeIfAbsent(shard, k -> new ImplicitPrm(prm)),
                            progress.computeIfAbsent(shard, k -> new PrmProgress()));
            for (AdvantageRecord record : result.batch().getRecords()) {
                expected.put(key(record), record);
            }
        }
        return expected;
    }

    /** The groups as the job assembles them, in the order of their first step in the input. */
    static List<TrajectoryGroup> assemble(Collection<StepEvent> steps) {
        return TrajectoryGroups.of(steps);
    }
}
