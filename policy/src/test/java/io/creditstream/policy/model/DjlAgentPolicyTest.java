package io.creditstream.policy.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.creditstream.fleet.SimulatedFleet;
import io.creditstream.fleet.env.KeyDoorMazeEnvironment;
import io.creditstream.fleet.env.MazeSpec;
import io.creditstream.fleet.policy.AgentPolicy;
import io.creditstream.fleet.policy.PolicyDecision;
import io.creditstream.schemas.StepEvent;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class DjlAgentPolicyTest {

    private static final NetworkSpec SPEC = NetworkSpec.keyDoorMaze(7, 11);
    private static final List<String> ACTIONS = NetworkSpec.KEY_DOOR_ACTIONS;

    @Test
    void sameSeedsGiveIdenticalActions() {
        try (PolicyNetwork first = PolicyNetwork.create(SPEC, 11);
                PolicyNetwork second = PolicyNetwork.create(SPEC, 11)) {
            List<PolicyDecision> a = sample(new DjlAgentPolicy(first, 1, 99), 100);
            List<PolicyDecision> b = sample(new DjlAgentPolicy(second, 1, 99), 100);

            assertThat(a).isEqualTo(b);
        }
    }

    @Test
    void workersOnTheirOwnThreadsSampleAsTheyWouldAlone() throws Exception {
        List<PolicyDecision> alone;
        try (PolicyNetwork network = PolicyNetwork.create(SPEC, 11)) {
            alone = sample(new DjlAgentPolicy(network, 1, 5), 50);
        }
        ExecutorService workers = Executors.newFixedThreadPool(4);
        try {
            List<Future<List<PolicyDecision>>> results = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                results.add(
                        workers.submit(
                                () -> {
                                    try (PolicyNetwork own = PolicyNetwork.create(SPEC, 11)) {
                                        return sample(new DjlAgentPolicy(own, 1, 5), 50);
                                    }
                                }));
            }
            for (Future<List<PolicyDecision>> result : results) {
                assertThat(result.get()).isEqualTo(alone);
            }
        } finally {
            workers.shutdown();
        }
    }

    @Test
    void differentSamplingSeedsGiveDifferentActions() {
        try (PolicyNetwork network = PolicyNetwork.create(SPEC, 11)) {
            List<PolicyDecision> a = sample(new DjlAgentPolicy(network, 1, 1), 100);
            List<PolicyDecision> b = sample(new DjlAgentPolicy(network, 1, 2), 100);

            assertThat(a).isNotEqualTo(b);
        }
    }

    @Test
    void reportsTheNetworksFloatLogProbOfTheChosenAction() {
        try (PolicyNetwork network = PolicyNetwork.create(SPEC, 4)) {
            DjlAgentPolicy policy = new DjlAgentPolicy(network, 17, 4);
            float[] logProbs = network.logProbabilities(MazeObservations.AGENT_NEAR_KEY);
            Set<String> seen = new HashSet<>();

            for (int i = 0; i < 200; i++) {
                PolicyDecision decision = policy.act(MazeObservations.AGENT_NEAR_KEY, ACTIONS);
                seen.add(decision.action());
                assertThat(decision.logProb())
                        .isEqualTo((double) logProbs[ACTIONS.indexOf(decision.action())]);
            }

            assertThat(seen).containsExactlyInAnyOrderElementsOf(ACTIONS);
            assertThat(policy.version()).isEqualTo(17);
        }
    }

    @Test
    void acceptsTheSameActionsInAnotherOrderButNotOtherActions() {
        try (PolicyNetwork network = PolicyNetwork.create(SPEC.withHiddenSize(8), 4)) {
            DjlAgentPolicy policy = new DjlAgentPolicy(network, 1, 4);
            List<String> reversed = new ArrayList<>(ACTIONS);
            java.util.Collections.reverse(reversed);

            assertThat(policy.act(MazeObservations.AGENT_NEAR_KEY, reversed).action())
                    .isIn(ACTIONS);
            assertThatThrownBy(
                            () ->
                                    policy.act(
                                            MazeObservations.AGENT_NEAR_KEY,
                                            List.of("north", "south", "east", "west")))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("trained on");
        }
    }

    @Test
    void samplingWalksTheCumulativeDistribution() {
        float[] logProbs = {(float) Math.log(0.5), (float) Math.log(0.25), (float) Math.log(0.25)};

        assertThat(DjlAgentPolicy.sample(logProbs, 0.0)).isZero();
        assertThat(DjlAgentPolicy.sample(logProbs, 0.49)).isZero();
        assertThat(DjlAgentPolicy.sample(logProbs, 0.51)).isEqualTo(1);
        assertThat(DjlAgentPolicy.sample(logProbs, 0.9999999999)).isEqualTo(2);
        float[] lastImpossible = {
            (float) Math.log(0.5), (float) Math.log(0.5), Float.NEGATIVE_INFINITY
        };
        assertThat(DjlAgentPolicy.sample(lastImpossible, 0.99999999999999)).isEqualTo(1);
    }

    @Test
    void theCacheChangesNoDrawAndStaysWithinItsCapacity() {
        NetworkSpec small = NetworkSpec.keyDoorMaze(3, 5).withHiddenSize(16);
        try (PolicyNetwork network = PolicyNetwork.create(small, 11)) {
            DjlAgentPolicy cached = new DjlAgentPolicy(network, 4, 99);
            DjlAgentPolicy bounded = new DjlAgentPolicy(network, 4, 99, 8);

            List<StepEvent> uncached = play(new DjlAgentPolicy(network, 4, 99, 0));

            assertThat(uncached).hasSizeGreaterThan(100);
            assertThat(play(cached)).isEqualTo(uncached);
            assertThat(play(bounded)).isEqualTo(uncached);
            // A maze group revisits its states: far fewer distinct observations than steps.
            assertThat(cached.cachedObservations()).isBetween(9, uncached.size() / 2);
            assertThat(bounded.cachedObservations()).isEqualTo(8);
        }
    }

    @Test
    void rejectsANegativeCacheCapacity() {
        try (PolicyNetwork network = PolicyNetwork.create(SPEC.withHiddenSize(8), 4)) {
            assertThatThrownBy(() -> new DjlAgentPolicy(network, 1, 4, -1))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("cacheCapacity");
        }
    }

    /** Six groups of four on three small layouts, with a clock that does not depend on time. */
    private static List<StepEvent> play(AgentPolicy policy) {
        long[] tick = {0};
        SimulatedFleet fleet =
                SimulatedFleet.builder("equivalence")
                        .tasks(3)
                        .groupSize(4)
                        .clock(() -> tick[0]++)
                        .environment(() -> new KeyDoorMazeEnvironment(MazeSpec.small()))
                        .policy(policy)
                        .build();
        List<StepEvent> events = new ArrayList<>();
        for (int g = 0; g < 6; g++) {
            events.addAll(fleet.nextRolloutGroup().events());
        }
        return events;
    }

    private static List<PolicyDecision> sample(DjlAgentPolicy policy, int count) {
        List<String> observations = MazeObservations.everyAgentPosition();
        List<PolicyDecision> decisions = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            decisions.add(policy.act(observations.get(i % 3), ACTIONS));
        }
        return decisions;
    }
}
