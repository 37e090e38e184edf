import io.creditstream.fleet.RolloutGroup;
import io.creditstream.fleet.SimulatedFleet;
import io.creditstream.fleet.env.KeyDoorMazeEnvironment;
import io.creditstream.fleet.env.MazeSpec;
import io.creditstream.fleet.policy.NoisyExpertPolicy;
import io.creditstream.operators.core.assembly.TrajectoryGroups;
import io.creditstream.operators.core.credit.AnchorMemory;
import io.creditstream.operators.core.credit.AnchorMemoryParams;
import io.creditstream.operators.core.credit.CreditParams;
import io.creditstream.schemas.AdvantageRecord;
import io.creditstream.schemas.internal.TrajectoryGroup;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * How many steps of the 7x11 key-and-door maze are anchor singletons, without and with GiGPO's
 * anchor memory, for fleets of known skill (the epsilon-greedy expert: 1 = random, 0 = expert).
 * No learning: the same groups go through both, so the two ratios are of identical input.
 *
 * <p>Run from the repository root after {@code mvn -B -o -q -pl policy -am -DskipTests package}:
 *
 * <pre>
 * java -cp "policy/target/creditstream-policy-0.1.0-SNAPSHOT.jar:policy/target/lib/*" \
 *     scripts/AnchorSingletonProbe.java [groups-per-task] [memory-groups] [decay]
 * </pre>
 */
public class AnchorSingletonProbe {
    public static void main(String[] args) throws Exception {
        int groupsPerTask = args.length > 0 ? Integer.parseInt(args[0]) : 12;
        int memoryGroups = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        double decay = args.length > 2 ? Double.parseDouble(args[2]) : 0.5;
        int tasks = 32;
        CreditParams credit = CreditParams.defaults().withInvalidActionPenalty(0);
        AnchorMemory memory =
                new AnchorMemory(credit, new AnchorMemoryParams(true, memoryGroups, 4096, decay));
        System.out.printf(
                Locale.ROOT,
                "7x11 maze, %d tasks, groups of 8, %d groups per task; memory: %d groups,"
                        + " decay %.2f%n",
                tasks,
                groupsPerTask,
                memoryGroups,
                decay);
        System.out.println(
                "epsilon,success_rate,steps,plain_singleton_ratio,memory_singleton_ratio,"
                        + "plain_nonzero_step_adv,memory_nonzero_step_adv");
        for (double epsilon : new double[] {1.0, 0.9, 0.8, 0.7, 0.5, 0.3}) {
            long[] tick = {0};
            SimulatedFleet fleet =
                    SimulatedFleet.builder("probe")
                            .runId("probe")
                            .tasks(tasks)
                            .groupSize(8)
                            .seed(1)
                            .clock(() -> tick[0]++)
                            .environment(() -> new KeyDoorMazeEnvironment(MazeSpec.standard()))
                            .policy(new NoisyExpertPolicy(epsilon, 1))
                            .build();
            Map<String, AnchorMemory.HeapTask> tasksMemory = new HashMap<>();
            long steps = 0;
            long plainSingletons = 0;
            long memorySingletons = 0;
            long plainSignal = 0;
            long memorySignal = 0;
            long episodes = 0;
            long successes = 0;
            for (int g = 0; g < tasks * groupsPerTask; g++) {
                RolloutGroup played = fleet.nextRolloutGroup();
                TrajectoryGroup group = TrajectoryGroups.of(played.events()).get(0);
                AnchorMemory.Assigned assigned =
                        tasksMemory
                                .computeIfAbsent(group.getTaskId(), t -> new AnchorMemory.HeapTask())
                                .assign(memory, group);
                memorySingletons += assigned.estimate().pooledSingletons();
                for (AdvantageRecord record : assigned.batch().getRecords()) {
                    steps++;
                    if (record.getAnchorGroupSize() == 1) {
                        plainSingletons++;
                    }
                    if (record.getStepAdvantage() != 0) {
                        memorySignal++;
                    }
                }
                for (var event : played.events()) {
                    if (event.getDone()) {
                        episodes++;
                        if (event.getEpisodeReturn() != null && event.getEpisodeReturn() > 0) {
                            successes++;
                        }
                    }
                }
                plainSignal += plainNonZero(credit, group);
            }
            System.out.printf(
                    Locale.ROOT,
                    "%.1f,%.3f,%d,%.4f,%.4f,%.4f,%.4f%n",
                    epsilon,
                    successes / (double) episodes,
                    steps,
                    plainSingletons / (double) steps,
                    memorySingletons / (double) steps,
                    plainSignal / (double) steps,
                    memorySignal / (double) steps);
        }
    }

    private static long plainNonZero(CreditParams credit, TrajectoryGroup group) {
        long nonZero = 0;
        for (AdvantageRecord record :
                new io.creditstream.operators.core.credit.GroupCreditAssigner(credit)
                        .assign(group)
                        .getRecords()) {
            if (record.getStepAdvantage() != 0) {
                nonZero++;
            }
        }
        return nonZero;
    }
}
