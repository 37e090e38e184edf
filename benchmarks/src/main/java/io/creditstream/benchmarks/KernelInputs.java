package io.creditstream.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.creditstream.operators.core.budget.CostEstimation;
import io.creditstream.operators.core.budget.KnapsackParams;
import io.creditstream.operators.core.budget.TaskState;
import io.creditstream.operators.core.credit.CreditParams;
import io.creditstream.operators.core.credit.StepSample;
import io.creditstream.operators.core.credit.TrajectorySample;
import io.creditstream.operators.core.prm.FeatureVector;
import io.creditstream.operators.core.prm.ImplicitPrm;
import io.creditstream.operators.core.prm.OprlParams;
import io.creditstream.operators.core.prm.PrmFeaturizer;
import io.creditstream.operators.core.prm.PrmParams;
import io.creditstream.operators.core.prm.TrajectoryFeatures;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * The inputs every kernel benchmark runs on, generated from a seed so that the JMH benchmarks, the
 * numpy script and the agreement test see the same numbers. {@link #writeJson} hands them to the
 * numpy script in flat arrays, the layout a numpy implementation would keep them in.
 */
public final class KernelInputs {

    /**
     * Step rows of the benchmarked groups: a demo-sized group (8 × ~50), then 16× and 160× that.
     */
    public static final int[] GROUP_ROWS = {400, 6_400, 64_000};

    /** Tasks of the benchmarked budget round: the demo's 32 layouts and a larger population. */
    public static final int[] KNAPSACK_TASKS = {32, 256};

    private static final String[] MOVES = {"north", "south", "east", "west", "pick", "open"};
    private static final String[] THINGS = {"key", "door", "wall", "floor", "goal", "agent"};

    private KernelInputs() {}

    /**
     * A GiGPO/GRPO group of exactly {@code rows} step rows: trajectories of 10–50 steps over 300
     * anchor states, a 1-in-20 invalid action rate and a 0/1 terminal reward.
     */
    public static List<TrajectorySample> creditGroup(long seed, int rows) {
        Random random = new Random(seed);
        List<TrajectorySample> group = new ArrayList<>();
        int made = 0;
        for (int t = 0; made < rows; t++) {
            int length = Math.min(10 + random.nextInt(41), rows - made);
            List<StepSample> steps = new ArrayList<>(length);
            double outcome = random.nextBoolean() ? 1.0 : 0.0;
            for (int s = 0; s < length; s++) {
                steps.add(
                        new StepSample(
                                "state-" + random.nextInt(300),
                                s == length - 1 ? outcome : 0.0,
                                random.nextInt(20) == 0));
            }
            group.add(new TrajectorySample(String.format("e%05d", t), outcome, steps));
            made += length;
        }
        return group;
    }

    /** One OPRL group to score: per-step hashed features and a PRM holding weights for them. */
    public record OprlGroup(List<TrajectoryFeatures> trajectories, ImplicitPrm prm) {}

    /**
     * An OPRL group of exactly {@code rows} steps with maze-like actions and observations,
     * featurised by the job's {@link PrmFeaturizer}, and a PRM with a random weight on every
     * feature it has.
     */
    public static OprlGroup oprlGroup(long seed, int rows) {
        Random random = new Random(seed);
        PrmParams prmParams = PrmParams.defaults();
        PrmFeaturizer featurizer = new PrmFeaturizer(prmParams);
        Map<Integer, Double> weights = new HashMap<>();
        List<TrajectoryFeatures> trajectories = new ArrayList<>();
        int made = 0;
        while (made < rows) {
            int length = Math.min(10 + random.nextInt(41), rows - made);
            List<FeatureVector> steps = new ArrayList<>(length);
            for (int s = 0; s < length; s++) {
                List<String> action =
                        List.of(MOVES[random.nextInt(MOVES.length)], "x" + random.nextInt(4));
                List<String> observation =
                        List.of(
                                THINGS[random.nextInt(THINGS.length)],
                                THINGS[random.nextInt(THINGS.length)],
                                "d" + random.nextInt(8));
                FeatureVector features =
                        featurizer.featurize("state-" + random.nextInt(300), observation, action);
                for (int k = 0; k < features.size(); k++) {
                    weights.computeIfAbsent(features.index(k), i -> random.nextGaussian());
                }
                steps.add(features);
            }
            trajectories.add(new TrajectoryFeatures(random.nextBoolean() ? 1.0 : 0.0, steps));
            made += length;
        }
        return new OprlGroup(trajectories, new ImplicitPrm(prmParams, weights));
    }

    /** The step weight α the OPRL benchmark combines with: the default. */
    public static OprlParams oprlParams() {
        return OprlParams.defaults();
    }

    /** A budget round of {@code tasks} valid tasks with success rates spread over (0, 1). */
    public static List<TaskState> knapsackStates(long seed, int tasks) {
        Random random = new Random(seed);
        List<TaskState> states = new ArrayList<>(tasks);
        for (int i = 0; i < tasks; i++) {
            states.add(new TaskState(true, 0.02 + 0.96 * random.nextDouble(), 16));
        }
        return states;
    }

    /**
     * The job's defaults (n 8, min_n 2, max_n 128, α 0.9) without the fallback, so that the whole
     * remaining budget goes through the dynamic programme rather than to p = 0 tasks.
     */
    public static KnapsackParams knapsackParams() {
        return new KnapsackParams(
                8, 2, 128, 0.9, false, null, null, null, CostEstimation.PROBABILITY);
    }

    /** The seed of every input of the given size: one per size, so sizes differ in content. */
    public static long seed(int size) {
        return 1_000_003L * size + 17;
    }

    /** Writes every benchmarked input as JSON for the numpy script. */
    public static void writeJson(Path file, int[] groupRows, int[] knapsackTasks)
            throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode root = mapper.createObjectNode();
        CreditParams credit = CreditParams.defaults();
        ObjectNode creditParams = root.putObject("credit_params");
        creditParams.put("gamma", credit.gamma());
        creditParams.put("epsilon", credit.epsilon());
        creditParams.put("step_advantage_weight", credit.stepAdvantageWeight());
        creditParams.put("invalid_action_penalty", credit.invalidActionPenalty());
        ArrayNode credits = root.putArray("credit_groups");
        ArrayNode oprl = root.putArray("oprl_groups");
        for (int rows : groupRows) {
            credits.add(creditJson(mapper, rows, creditGroup(seed(rows), rows)));
            oprl.add(oprlJson(mapper, rows, oprlGroup(seed(rows), rows)));
        }
        ArrayNode rounds = root.putArray("knapsack_rounds");
        KnapsackParams params = knapsackParams();
        for (int tasks : knapsackTasks) {
            ObjectNode round = rounds.addObject();
            round.put("tasks", tasks);
            round.put("n", params.n());
            round.put("min_n", params.minN());
            round.put("max_n", params.maxN());
            ArrayNode p = round.putArray("p");
            for (TaskState state : knapsackStates(seed(tasks), tasks)) {
                p.add(state.p());
            }
        }
        mapper.writeValue(file.toFile(), root);
    }

    private static ObjectNode creditJson(
            ObjectMapper mapper, int rows, List<TrajectorySample> group) {
        ObjectNode node = mapper.createObjectNode();
        node.put("rows", rows);
        ArrayNode lengths = node.putArray("lengths");
        ArrayNode returns = node.putArray("returns");
        ArrayNode anchors = node.putArray("anchors");
        ArrayNode rewards = node.putArray("rewards");
        ArrayNode invalid = node.putArray("invalid");
        for (TrajectorySample trajectory : group) {
            lengths.add(trajectory.steps().size());
            returns.add(trajectory.episodeReturn());
            for (StepSample step : trajectory.steps()) {
                anchors.add(step.anchorKey());
                rewards.add(step.reward());
                invalid.add(step.invalidAction());
            }
        }
        return node;
    }

    private static ObjectNode oprlJson(ObjectMapper mapper, int rows, OprlGroup group) {
        ObjectNode node = mapper.createObjectNode();
        node.put("rows", rows);
        OprlParams oprl = oprlParams();
        node.put("beta", group.prm().params().beta());
        node.put("alpha", oprl.stepWeight());
        node.put("epsilon", oprl.epsilon());
        node.put("hash_bits", group.prm().params().hashBits());
        ArrayNode lengths = node.putArray("lengths");
        ArrayNode outcomes = node.putArray("outcomes");
        ArrayNode featureCounts = node.putArray("feature_counts");
        ArrayNode indices = node.putArray("indices");
        ArrayNode values = node.putArray("values");
        TreeMap<Integer, Double> weights = new TreeMap<>();
        for (TrajectoryFeatures trajectory : group.trajectories()) {
            lengths.add(trajectory.steps().size());
            outcomes.add(trajectory.outcome());
            for (FeatureVector step : trajectory.steps()) {
                featureCounts.add(step.size());
                for (int k = 0; k < step.size(); k++) {
                    indices.add(step.index(k));
                    values.add(step.value(k));
                    weights.put(step.index(k), group.prm().weight(step.index(k)));
                }
            }
        }
        ArrayNode weightIndex = node.putArray("weight_index");
        ArrayNode weightValue = node.putArray("weight_value");
        weights.forEach(
                (index, weight) -> {
                    weightIndex.add(index);
                    weightValue.add(weight);
                });
        return node;
    }
}
