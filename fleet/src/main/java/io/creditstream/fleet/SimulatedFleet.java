package io.creditstream.fleet;

import io.creditstream.fleet.env.CorridorMazeEnvironment;
import io.creditstream.fleet.env.StepResult;
import io.creditstream.fleet.env.TextEnvironment;
import io.creditstream.fleet.policy.AgentPolicy;
import io.creditstream.fleet.policy.PolicyDecision;
import io.creditstream.fleet.policy.RandomPolicy;
import io.creditstream.schemas.StepEvent;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * A simulated agent fleet: plays rollout groups (group-size episodes of one task) of a {@link
 * TextEnvironment} with an {@link AgentPolicy} and turns every step into a {@link StepEvent}, as a
 * real fleet would write it to {@code agent.steps}.
 *
 * <p>Everything is deterministic under the seed and the injected clock. Optionally the events of a
 * group are shuffled and some duplicated, from a separate seeded generator, to exercise the job's
 * out-of-order and de-duplication handling without changing what was played. Not thread-safe.
 */
public final class SimulatedFleet {
    public static final int DEFAULT_GROUP_SIZE = 8;
    public static final int DEFAULT_TASKS = 16;

    /** A guard against an environment that never ends an episode. */
    private static final int MAX_EPISODE_STEPS = 100_000;

    private final String experimentId;
    private final String runId;
    private final List<String> taskIds;
    private final Map<String, Long> taskSeeds;
    private final int groupSize;
    private final LongSupplier clock;
    private final TextEnvironment environment;
    private final AgentPolicy policy;
    private final boolean shuffle;
    private final double duplicateFraction;
    private final Random disorder;

    private long groupSequence;
    private int nextTask;

    private SimulatedFleet(Builder b) {
        this.experimentId = b.experimentId;
        this.runId = b.runId != null ? b.runId : "r" + Long.toHexString(b.seed);
        this.groupSize = b.groupSize;
        this.clock = b.clock;
        this.environment = b.environment.get();
        this.policy = b.policy != null ? b.policy : new RandomPolicy(b.seed);
        this.shuffle = b.shuffle;
        this.duplicateFraction = b.duplicateFraction;
        // Separate from the policy's generator, so disorder never changes what is played.
        this.disorder = new Random(b.seed ^ 0x5DEECE66DL);
        List<String> ids = new ArrayList<>(b.tasks);
        Map<String, Long> seeds = new HashMap<>();
        for (int i = 0; i < b.tasks; i++) {
            String id = String.format("task-%04d", i);
            ids.add(id);
            seeds.put(id, taskSeed(i));
        }
        this.taskIds = List.copyOf(ids);
        this.taskSeeds = Map.copyOf(seeds);
    }

    public static Builder builder(String experimentId) {
        return new Builder(experimentId);
    }

    /**
     * The environment seed of task {@code index}. It depends on the index only, not on the fleet's
     * seed, so "task-0003" is the same room in every run and its statistics stay comparable.
     */
    public static long taskSeed(int index) {
        return new SplittableRandom(index).nextLong();
    }

    public String experimentId() {
        return experimentId;
    }

    public List<String> taskIds() {
        return taskIds;
    }

    public int groupSize() {
        return groupSize;
    }

    /** The events of the next group, tasks taken in turn. */
    public List<StepEvent> nextGroup() {
        return nextRolloutGroup().events();
    }

    /** The next group, tasks taken in turn. */
    public RolloutGroup nextRolloutGroup() {
        String taskId = taskIds.get(nextTask);
        nextTask = (nextTask + 1) % taskIds.size();
        return nextRolloutGroup(taskId);
    }

    /** A group of {@link #groupSize()} episodes of the given task. */
    public RolloutGroup nextRolloutGroup(String taskId) {
        return nextRolloutGroup(taskId, groupSize);
    }

    /**
     * A group of {@code size} episodes of the given task: the size a rollout budget gave it, so
     * groups of one task may differ in size from round to round.
     */
    public RolloutGroup nextRolloutGroup(String taskId, int size) {
        if (size < 1) {
            throw new IllegalArgumentException("a group needs at least 1 episode, got " + size);
        }
        Long taskSeed = taskSeeds.get(taskId);
        if (taskSeed == null) {
            throw new IllegalArgumentException(
                    "Unknown task " + taskId + "; this fleet has " + taskIds.size() + " tasks");
        }
        String groupId = runId + "-" + taskId + "-g" + groupSequence++;
        List<StepEvent> events = new ArrayList<>(size * 24);
        int successes = 0;
        for (int episode = 0; episode < size; episode++) {
            double episodeReturn =
                    playEpisode(taskId, taskSeed, groupId, groupId + "-e" + episode, size, events);
            if (episodeReturn > 0) {
                successes++;
            }
        }
        int steps = events.size();
        List<StepEvent> toSend = disorder(events);
        return new RolloutGroup(taskId, groupId, toSend, size, successes, steps);
    }

    private double playEpisode(
            String taskId,
            long taskSeed,
            String groupId,
            String episodeId,
            int size,
            List<StepEvent> events) {
        String observation = environment.reset(taskSeed);
        double episodeReturn = 0;
        for (int stepIndex = 0; stepIndex < MAX_EPISODE_STEPS; stepIndex++) {
            PolicyDecision decision = policy.act(observation, environment.actions());
            StepResult result = environment.step(decision.action());
            episodeReturn += result.reward();
            events.add(
                    StepEvent.newBuilder()
                            .setExperimentId(experimentId)
                            .setTaskId(taskId)
                            .setGroupId(groupId)
                            .setEpisodeId(episodeId)
                            .setStepIndex(stepIndex)
                            .setPolicyVersion(policy.version())
                            .setStateKey(observation)
                            .setObservation(observation)
                            .setAction(decision.action())
                            .setReward(result.reward())
                            .setInvalidAction(result.invalid())
                            .setDone(result.done())
                            .setEpisodeReturn(result.done() ? episodeReturn : null)
                            .setGroupSize(size)
                            .setBehaviorLogprob(decision.logProb())
                            // Set explicitly: unset fields make the Avro builder copy defaults.
                            .setPrmLogprob(null)
                            .setRefLogprob(null)
                            .setAnswerProb(null)
                            .setEventTimeMs(clock.getAsLong())
                            .build());
            if (result.done()) {
                return episodeReturn;
            }
            observation = result.observation();
        }
        throw new IllegalStateException(
                "Episode " + episodeId + " did not end within " + MAX_EPISODE_STEPS + " steps");
    }

    private List<StepEvent> disorder(List<StepEvent> events) {
        if (duplicateFraction == 0 && !shuffle) {
            return events;
        }
        List<StepEvent> out = new ArrayList<>(events.size() + events.size() / 4);
        for (StepEvent event : events) {
            out.add(event);
            if (duplicateFraction > 0 && disorder.nextDouble() < duplicateFraction) {
                // A distinct but equal object, as a redelivered record would be.
                out.add(StepEvent.newBuilder(event).build());
            }
        }
        if (shuffle) {
            Collections.shuffle(out, disorder);
        }
        return out;
    }

    /** Configures a {@link SimulatedFleet}; only the experiment id is required. */
    public static final class Builder {
        private final String experimentId;
        private int tasks = DEFAULT_TASKS;
        private int groupSize = DEFAULT_GROUP_SIZE;
        private long seed;
        private String runId;
        private LongSupplier clock = System::currentTimeMillis;
        private Supplier<TextEnvironment> environment = CorridorMazeEnvironment::new;
        private AgentPolicy policy;
        private boolean shuffle;
        private double duplicateFraction;

        private Builder(String experimentId) {
            if (experimentId == null || experimentId.isBlank()) {
                throw new IllegalArgumentException("experimentId must not be blank");
            }
            this.experimentId = experimentId;
        }

        /** How many distinct tasks the fleet cycles through; 16 by default. */
        public Builder tasks(int tasks) {
            if (tasks < 1) {
                throw new IllegalArgumentException("tasks must be at least 1, got " + tasks);
            }
            this.tasks = tasks;
            return this;
        }

        /** Episodes per rollout group; 8 by default. */
        public Builder groupSize(int groupSize) {
            if (groupSize < 1) {
                throw new IllegalArgumentException(
                        "groupSize must be at least 1, got " + groupSize);
            }
            this.groupSize = groupSize;
            return this;
        }

        /** Seeds the default policy and the shuffling; 0 by default. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * Prefix of group and episode ids, so that two runs of one experiment never reuse an id
         * (the job would drop the second as duplicates); "r" + the seed in hex by default.
         */
        public Builder runId(String runId) {
            if (runId == null || runId.isBlank()) {
                throw new IllegalArgumentException("runId must not be blank");
            }
            this.runId = runId;
            return this;
        }

        /** Source of event_time_ms, read once per step; the wall clock by default. */
        public Builder clock(LongSupplier clock) {
            if (clock == null) {
                throw new IllegalArgumentException("clock must not be null");
            }
            this.clock = clock;
            return this;
        }

        /** Creates the environment the fleet plays; {@link CorridorMazeEnvironment} by default. */
        public Builder environment(Supplier<TextEnvironment> environment) {
            if (environment == null) {
                throw new IllegalArgumentException("environment must not be null");
            }
            this.environment = environment;
            return this;
        }

        /** The acting policy; a {@link RandomPolicy} seeded with the seed by default. */
        public Builder policy(AgentPolicy policy) {
            if (policy == null) {
                throw new IllegalArgumentException("policy must not be null");
            }
            this.policy = policy;
            return this;
        }

        /** Whether to shuffle the events of each group before they are returned; off by default. */
        public Builder shuffleWithinGroup(boolean shuffle) {
            this.shuffle = shuffle;
            return this;
        }

        /** The probability that an event is sent twice, in [0, 1); 0 by default. */
        public Builder duplicateFraction(double duplicateFraction) {
            if (!(duplicateFraction >= 0 && duplicateFraction < 1)) {
                throw new IllegalArgumentException(
                        "duplicateFraction must be in [0, 1), got " + duplicateFraction);
            }
            this.duplicateFraction = duplicateFraction;
            return this;
        }

        public SimulatedFleet build() {
            return new SimulatedFleet(this);
        }
    }
}
