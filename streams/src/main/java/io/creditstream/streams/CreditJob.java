package io.creditstream.streams;

import io.creditstream.operators.core.assembly.ScopedKey;
import io.creditstream.operators.core.budget.KnapsackParams;
import io.creditstream.operators.core.budget.KnapsackSolver;
import io.creditstream.operators.core.budget.SuccessRateTracker;
import io.creditstream.operators.core.credit.AnchorMemoryParams;
import io.creditstream.operators.core.credit.CreditParams;
import io.creditstream.operators.core.credit.Estimator;
import io.creditstream.operators.core.credit.StalenessPolicy;
import io.creditstream.operators.core.input.StepValidator;
import io.creditstream.operators.core.prm.OprlParams;
import io.creditstream.operators.core.prm.PrmParams;
import io.creditstream.operators.core.prm.PrmShard;
import io.creditstream.operators.flink.DeadLetters;
import io.creditstream.operators.flink.EncodedTrajectory;
import io.creditstream.operators.flink.assembly.EncodedStep;
import io.creditstream.operators.flink.assembly.GroupAssembler;
import io.creditstream.operators.flink.assembly.TrajectoryAssembler;
import io.creditstream.operators.flink.batch.AdvantageBatchOperator;
import io.creditstream.operators.flink.budget.ExpandBudgetRequest;
import io.creditstream.operators.flink.budget.RoundAllocator;
import io.creditstream.operators.flink.budget.RoundProbe;
import io.creditstream.operators.flink.budget.TaskOutcome;
import io.creditstream.operators.flink.budget.TaskStateReply;
import io.creditstream.operators.flink.budget.TaskStatsFunction;
import io.creditstream.operators.flink.credit.AnchorMemoryCreditFunction;
import io.creditstream.operators.flink.credit.CreditAssignFunction;
import io.creditstream.operators.flink.credit.ShadowEstimators;
import io.creditstream.operators.flink.credit.StalenessFilter;
import io.creditstream.operators.flink.input.DecodeStepFunction;
import io.creditstream.operators.flink.input.EncodeStepFunction;
import io.creditstream.operators.flink.prm.OprlCreditFunction;
import io.creditstream.schemas.AdvantageBatch;
import io.creditstream.schemas.BudgetAllocation;
import io.creditstream.schemas.BudgetRequest;
import io.creditstream.schemas.DeadLetter;
import io.creditstream.schemas.PolicySnapshot;
import io.creditstream.schemas.StepEvent;
import io.creditstream.schemas.internal.RawStep;
import io.creditstream.schemas.internal.TrajectoryGroup;
import io.creditstream.schemas.trust.SnapshotGate;
import io.creditstream.streams.options.CreditstreamOptions;
import java.time.Duration;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * The creditstream dataflow, with its I/O passed in: raw steps → decode and validate → trajectories
 * (keyBy episode) → groups (keyBy group) → advantages → learner batches (chained, per experiment);
 * completed groups also feed per-task success statistics that answer the fleet's rollout rounds
 * with knapsack budgets; every operator's dead letters go to one stream. {@code run}, {@code demo},
 * {@code estimate} and the tests plug in their own sources and sinks.
 */
public final class CreditJob {
    public static final String UID_DECODE = "decode-steps";
    public static final String UID_ENCODE = "encode-steps";
    public static final String UID_TRAJECTORIES = "trajectory-assembler";
    public static final String UID_GROUPS = "group-assembler";
    public static final String UID_CREDIT = "credit-estimator";
    public static final String UID_OPRL = "oprl-estimator";
    public static final String UID_GIGPO_MEMORY = "gigpo-anchor-memory-estimator";
    public static final String UID_STALENESS = "staleness-filter";
    public static final String UID_BATCHER = "advantage-batcher";
    public static final String UID_EXPAND_REQUESTS = "expand-rollout-requests";
    public static final String UID_OUTCOMES = "task-outcomes";
    public static final String UID_TASK_STATS = "task-stats";
    public static final String UID_ALLOCATOR = "round-allocator";

    /**
     * What the dataflow produces; {@code budgets} is null when no rollout requests are wired in.
     * {@code groups} are the assembled groups before estimation, for the offline form.
     */
    public record Outputs(
            DataStream<TrajectoryGroup> groups,
            DataStream<AdvantageBatch> batches,
            DataStream<DeadLetter> deadLetters,
            DataStream<BudgetAllocation> budgets) {}

    /** The settings the dataflow needs, read and validated from one configuration. */
    public record Settings(
            CreditParams credit,
            OprlParams oprl,
            PrmParams prm,
            StalenessPolicy staleness,
            SnapshotGate snapshotGate,
            int maxRecordBytes,
            StepValidator validator,
            Duration episodeTimeout,
            int maxStepsPerEpisode,
            int maxOpenEpisodes,
            Duration completedRetention,
            Duration groupTimeout,
            int minGroupSize,
            int batchMaxRecords,
            int batchMaxBytes,
            Duration batchLinger,
            boolean batchFlushAtCheckpoint,
            KnapsackParams knapsack,
            KnapsackSolver.Mode solver,
            SuccessRateTracker.Settings tracker,
            int epochGroups,
            Duration roundTimeout,
            Duration taskTtl,
            ShadowEstimators shadows,
            AnchorMemoryParams anchorMemory) {

        /**
         * @throws IllegalArgumentException naming the bad key
         */
        public static Settings from(Configuration config) {
            int maxRecordBytes = config.get(CreditstreamOptions.MAX_RECORD_BYTES);
            int batchMaxBytes = config.get(CreditstreamOptions.BATCH_MAX_BYTES);
            if (maxRecordBytes >= batchMaxBytes) {
                // An accepted step must fit a batch, or its group is lost at the output.
                throw new IllegalArgumentException(
                        "input.max-record-bytes ("
                                + maxRecordBytes
                                + ") must be below batch.max-bytes ("
                                + batchMaxBytes
                                + "): lower the first or raise the second");
            }
            return new Settings(
                    CreditstreamOptions.creditParams(config),
                    CreditstreamOptions.oprlParams(config),
                    CreditstreamOptions.prmParams(config),
                    new StalenessPolicy(
                            config.get(CreditstreamOptions.MAX_POLICY_LAG),
                            config.get(CreditstreamOptions.MIN_GROUP_SIZE)),
                    CreditstreamOptions.snapshotGate(config),
                    maxRecordBytes,
                    new StepValidator(
                            config.get(CreditstreamOptions.MAX_ID_LENGTH),
                            config.get(CreditstreamOptions.MAX_GROUP_SIZE)),
                    config.get(CreditstreamOptions.EPISODE_TIMEOUT),
                    config.get(CreditstreamOptions.MAX_STEPS_PER_EPISODE),
                    config.get(CreditstreamOptions.MAX_OPEN_EPISODES),
                    config.get(CreditstreamOptions.COMPLETED_RETENTION),
                    config.get(CreditstreamOptions.GROUP_TIMEOUT),
                    config.get(CreditstreamOptions.MIN_GROUP_SIZE),
                    config.get(CreditstreamOptions.BATCH_MAX_RECORDS),
                    batchMaxBytes,
                    config.get(CreditstreamOptions.BATCH_LINGER),
                    config.get(CreditstreamOptions.BATCH_FLUSH_AT_CHECKPOINT),
                    CreditstreamOptions.knapsackParams(config),
                    CreditstreamOptions.knapsackSolver(config),
                    CreditstreamOptions.trackerSettings(config),
                    config.get(CreditstreamOptions.BUDGET_EPOCH_GROUPS),
                    config.get(CreditstreamOptions.BUDGET_ROUND_TIMEOUT),
                    config.get(CreditstreamOptions.BUDGET_TASK_TTL),
                    new ShadowEstimators(
                            CreditstreamOptions.creditParams(config),
                            CreditstreamOptions.shadowEstimators(config)),
                    CreditstreamOptions.anchorMemoryParams(config));
        }
    }

    private CreditJob() {}

    /**
     * The streaming dataflow from raw Kafka values.
     *
     * @param requests the fleet's rollout rounds, or null to run without knapsack budgets
     * @param snapshots the learner's policy snapshots, or null to run without staleness control
     */
    public static Outputs defineWorkflow(
            DataStream<RawStep> raw,
            DataStream<BudgetRequest> requests,
            DataStream<PolicySnapshot> snapshots,
            Settings settings) {
        SingleOutputStreamOperator<EncodedStep> steps =
                raw.process(new DecodeStepFunction(settings.maxRecordBytes(), settings.validator()))
                        .returns(TypeInformation.of(EncodedStep.class))
                        .uid(UID_DECODE)
                        .name("Decode and validate steps");
        return assemble(
                steps, steps.getSideOutput(DeadLetters.TAG), requests, snapshots, settings, false);
    }

    /**
     * The dataflow from decoded steps (the offline form).
     *
     * @param boundedInput true for the offline form: every group present at the end is emitted
     */
    public static Outputs fromSteps(
            DataStream<StepEvent> steps, Settings settings, boolean boundedInput) {
        SingleOutputStreamOperator<EncodedStep> encoded =
                steps.map(new EncodeStepFunction())
                        .returns(TypeInformation.of(EncodedStep.class))
                        .uid(UID_ENCODE)
                        .name("Encode steps");
        return assemble(encoded, null, null, null, settings, boundedInput);
    }

    private static Outputs assemble(
            DataStream<EncodedStep> steps,
            DataStream<DeadLetter> upstreamDeadLetters,
            DataStream<BudgetRequest> requests,
            DataStream<PolicySnapshot> snapshots,
            Settings settings,
            boolean boundedInput) {
        SingleOutputStreamOperator<EncodedTrajectory> trajectories =
                steps.keyBy(EncodedStep::episodeKey, Types.STRING)
                        .process(
                                new TrajectoryAssembler(
                                        settings.episodeTimeout(),
                                        settings.maxStepsPerEpisode(),
                                        settings.maxOpenEpisodes(),
                                        settings.completedRetention(),
                                        boundedInput))
                        .returns(TypeInformation.of(EncodedTrajectory.class))
                        .uid(UID_TRAJECTORIES)
                        .name("Assemble trajectories");
        SingleOutputStreamOperator<TrajectoryGroup> groups =
                trajectories
                        .keyBy(EncodedTrajectory::groupKey, Types.STRING)
                        .process(
                                new GroupAssembler(
                                        settings.groupTimeout(),
                                        settings.minGroupSize(),
                                        settings.completedRetention(),
                                        boundedInput))
                        .returns(new AvroTypeInfo<>(TrajectoryGroup.class))
                        .uid(UID_GROUPS)
                        .name("Assemble groups");
        DataStream<TrajectoryGroup> fresh =
                snapshots == null
                        ? groups
                        : groups.connect(snapshots.broadcast(StalenessFilter.NEWEST_VERSIONS))
                                .process(
                                        new StalenessFilter(
                                                settings.staleness(), settings.snapshotGate()))
                                .returns(new AvroTypeInfo<>(TrajectoryGroup.class))
                                .uid(UID_STALENESS)
                                .name("Drop stale trajectories");
        SingleOutputStreamOperator<AdvantageBatch> perGroup = estimate(fresh, settings);
        SingleOutputStreamOperator<AdvantageBatch> batches =
                perGroup.transform(
                                "Batch advantages",
                                new AvroTypeInfo<>(AdvantageBatch.class),
                                new AdvantageBatchOperator(
                                        settings.batchMaxRecords(),
                                        settings.batchMaxBytes(),
                                        settings.batchLinger(),
                                        settings.batchFlushAtCheckpoint()))
                        .uid(UID_BATCHER);
        DataStream<DeadLetter> deadLetters =
                trajectories
                        .getSideOutput(DeadLetters.TAG)
                        .union(
                                groups.getSideOutput(DeadLetters.TAG),
                                perGroup.getSideOutput(DeadLetters.TAG),
                                batches.getSideOutput(DeadLetters.TAG));
        if (upstreamDeadLetters != null) {
            deadLetters = upstreamDeadLetters.union(deadLetters);
        }
        DataStream<BudgetAllocation> budgets =
                requests == null ? null : budgets(groups, requests, settings);
        return new Outputs(groups, batches, deadLetters, budgets);
    }

    /**
     * Advantages per group: a stateless map for grpo, rloo, dr-grpo, gigpo, tempo, pure and igpo;
     * for oprl a keyed function that trains the shard's in-stream PRM (keyBy {@code prm.shard});
     * for gigpo with anchor memory a keyed function holding each task's anchor histories.
     */
    private static SingleOutputStreamOperator<AdvantageBatch> estimate(
            DataStream<TrajectoryGroup> groups, Settings settings) {
        String name = "Estimate advantages (" + settings.credit().estimator().configName() + ")";
        if (settings.anchorMemory().enabled()) {
            // Every group of a task meets its task's memory: keyBy experiment + task. A separate
            // uid, because this operator's state is keyed and the plain estimator's is none.
            return groups.keyBy(
                            (TrajectoryGroup group) ->
                                    ScopedKey.of(group.getExperimentId(), group.getTaskId()),
                            Types.STRING)
                    .process(
                            new AnchorMemoryCreditFunction(
                                    settings.credit(), settings.anchorMemory(), settings.shadows()))
                    .returns(new AvroTypeInfo<>(AdvantageBatch.class))
                    .uid(UID_GIGPO_MEMORY)
                    .name(name + " with anchor memory");
        }
        if (settings.credit().estimator() != Estimator.OPRL) {
            return groups.process(new CreditAssignFunction(settings.credit(), settings.shadows()))
                    .returns(new AvroTypeInfo<>(AdvantageBatch.class))
                    .uid(UID_CREDIT)
                    .name(name);
        }
        PrmShard shard = settings.prm().shard();
        return groups.keyBy(
                        (TrajectoryGroup group) ->
                                shard.key(group.getExperimentId(), group.getTaskId()),
                        Types.STRING)
                .process(
                        new OprlCreditFunction(settings.oprl(), settings.prm(), settings.shadows()))
                .returns(new AvroTypeInfo<>(AdvantageBatch.class))
                .uid(UID_OPRL)
                .name(name);
    }

    /**
     * Knapsack budgets: every completed group updates its task's success statistics (keyBy task); a
     * round request fans out to its tasks, which reply with their statistics, and the replies meet
     * again by round (keyBy round) to be solved and answered per task.
     */
    private static DataStream<BudgetAllocation> budgets(
            DataStream<TrajectoryGroup> groups,
            DataStream<BudgetRequest> requests,
            Settings settings) {
        SingleOutputStreamOperator<RoundProbe> probes =
                requests.process(new ExpandBudgetRequest())
                        .returns(TypeInformation.of(RoundProbe.class))
                        .uid(UID_EXPAND_REQUESTS)
                        .name("Expand rollout requests");
        DataStream<TaskOutcome> outcomes =
                groups.map(TaskOutcome::of)
                        .returns(TypeInformation.of(TaskOutcome.class))
                        .uid(UID_OUTCOMES)
                        .name("Task outcomes");
        SingleOutputStreamOperator<TaskStateReply> replies =
                outcomes.keyBy(TaskOutcome::key)
                        .connect(probes.keyBy(RoundProbe::taskKey))
                        .process(
                                new TaskStatsFunction(
                                        settings.tracker(),
                                        settings.epochGroups(),
                                        settings.taskTtl()))
                        .returns(TypeInformation.of(TaskStateReply.class))
                        .uid(UID_TASK_STATS)
                        .name("Task success statistics");
        SingleOutputStreamOperator<BudgetAllocation> answers =
                replies.keyBy(TaskStateReply::roundKey)
                        .process(
                                new RoundAllocator(
                                        settings.knapsack(),
                                        settings.solver(),
                                        settings.roundTimeout()))
                        .returns(new AvroTypeInfo<>(BudgetAllocation.class))
                        .uid(UID_ALLOCATOR)
                        .name("Allocate rollout budgets");
        return answers.union(probes.getSideOutput(ExpandBudgetRequest.ERRORS));
    }
}
