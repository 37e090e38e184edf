package io.creditstream.tools.cli;

import io.creditstream.streams.options.CreditstreamOptions;
import io.creditstream.tools.bench.PrmLearningCheck;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code creditstream prm-check}: how well the in-stream PRM learns known step quality. */
@Command(
        name = "prm-check",
        mixinStandardHelpOptions = true,
        description = {
            "Measure what the in-stream implicit PRM (credit.estimator=oprl) learns, on the"
                    + " key-and-door maze where every (state, action) has a known quality: a"
                    + " noisy-expert fleet plays training groups, the PRM trains on them in order,"
                    + " and at each checkpoint the frozen model is scored on held-out groups:"
                    + " Spearman of its step rewards with the true quality, within-state action"
                    + " ranking, equal-length window pair accuracy, outcome pair accuracy, and the"
                    + " Spearman of the OPRL advantage against GRPO's and GiGPO's.",
            "",
            "The credit.oprl.* and prm.* options (-D or --config) choose the variant.",
            "",
            "Example: creditstream prm-check --groups 1000 -Dprm.learning-rate=0.5"
        })
public class PrmCheckCommand implements Callable<Integer> {
    @Option(
            names = "--groups",
            defaultValue = "1000",
            description = "Training groups (default: ${DEFAULT-VALUE}).")
    int groups;

    @Option(
            names = "--checkpoints",
            split = ",",
            defaultValue = "100,300,1000",
            description = "Training groups after which to measure (default: ${DEFAULT-VALUE}).")
    List<Integer> checkpoints;

    @Option(
            names = "--held-out-groups",
            defaultValue = "64",
            description =
                    "Held-out groups measured at each checkpoint (default: ${DEFAULT-VALUE}).")
    int heldOutGroups;

    @Option(
            names = "--tasks",
            defaultValue = "32",
            description = "Maze task seeds (default: ${DEFAULT-VALUE}).")
    int tasks;

    @Option(
            names = "--group-size",
            defaultValue = "8",
            description = "Rollouts per group (default: ${DEFAULT-VALUE}).")
    int groupSize;

    @Option(
            names = "--epsilon",
            defaultValue = "0.8",
            description =
                    "The fleet's chance of a random action instead of an optimal one; 0.8 gives"
                            + " about 45%% successes (default: ${DEFAULT-VALUE}).")
    double epsilon;

    @Option(
            names = "--seed",
            defaultValue = "1",
            description = "Seed of the fleets and the window draws (default: ${DEFAULT-VALUE}).")
    long seed;

    @Mixin ConfigMixin config;

    @Override
    public Integer call() {
        Configuration configuration = config.configuration();
        PrmLearningCheck.Settings settings =
                new PrmLearningCheck.Settings(
                        groups,
                        checkpoints,
                        heldOutGroups,
                        tasks,
                        groupSize,
                        epsilon,
                        seed,
                        10,
                        4000);
        System.out.printf(
                "%s%n%s%n%n| groups | updates | features | Spearman(r, quality) | within-state"
                        + " ranking | equal-length pairs | outcome pairs | Spearman(A_oprl,"
                        + " quality) | ... in all-failed groups | mean alpha |%n|---|---|---|---|---|---|---|---|---|---|%n",
                CreditstreamOptions.oprlParams(configuration),
                CreditstreamOptions.prmParams(configuration));
        PrmLearningCheck.Result result =
                PrmLearningCheck.run(
                        settings,
                        CreditstreamOptions.oprlParams(configuration),
                        CreditstreamOptions.prmParams(configuration),
                        p ->
                                System.out.printf(
                                        "| %d | %d | %,d | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f"
                                                + " | %.2f |%n",
                                        p.groups(),
                                        p.updates(),
                                        p.liveFeatures(),
                                        p.stepSpearman(),
                                        p.withinStateAccuracy(),
                                        p.equalLengthPairAccuracy(),
                                        p.outcomePairAccuracy(),
                                        p.oprlAdvantageSpearman(),
                                        p.oprlAdvantageSpearmanAllFailed(),
                                        p.meanStepWeight()));
        System.out.printf(
                "%nheld out: %,d steps, %,d states, success rate %.2f, all-failed groups %.0f%%"
                        + " (training success rate %.2f)%nSpearman(A, quality) on the same held-out"
                        + " steps: grpo %.3f, gigpo %.3f (gigpo in all-failed groups %.3f)%n%.1f s%n",
                result.heldOutSteps(),
                result.heldOutStates(),
                result.heldOutSuccessRate(),
                100 * result.heldOutAllFailedGroupRatio(),
                result.trainingSuccessRate(),
                result.grpoAdvantageSpearman(),
                result.gigpoAdvantageSpearman(),
                result.gigpoAdvantageSpearmanAllFailed(),
                result.seconds());
        return 0;
    }
}
