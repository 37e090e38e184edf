package io.creditstream.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.creditstream.schemas.StepEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The runner's loop: limits, counters, stopping, pacing and failures. */
class FleetRunnerTest {

    @Test
    void runsTheRequestedNumberOfGroupsAndCountsThem() {
        CollectingSink sink = new CollectingSink();
        FleetRunner runner =
                FleetRunner.builder(SimulatedFleetTest.fleet(1).build(), sink)
                        .maxGroups(10)
                        .build();

        runner.run();

        assertThat(runner.groups()).isEqualTo(10);
        assertThat(runner.episodes()).isEqualTo(80);
        assertThat(runner.events()).isEqualTo(sink.events.size());
        assertThat(runner.steps()).isEqualTo(sink.events.size());
        assertThat(runner.successes())
                .isEqualTo(sink.events.stream().filter(e -> e.getReward() > 0).count());
        assertThat(sink.flushes).isEqualTo(1);
        assertThat(runner.failure()).isEmpty();
        assertThatThrownBy(runner::run).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void playsEachTaskAsOftenAsThePlannerSaysAndSkipsZeroBudgets() {
        CollectingSink sink = new CollectingSink();
        SimulatedFleet fleet = SimulatedFleetTest.fleet(1).build();
        List<String> tasks = fleet.taskIds();
        RoundPlanner planner =
                () ->
                        List.of(
                                new RoundPlanner.Assignment(tasks.get(0), 3),
                                new RoundPlanner.Assignment(tasks.get(1), 0),
                                new RoundPlanner.Assignment(tasks.get(2), 5));
        FleetRunner runner = FleetRunner.builder(fleet, sink).planner(planner).maxGroups(2).build();

        runner.run();

        assertThat(runner.groups()).isEqualTo(2);
        assertThat(runner.episodes()).isEqualTo(8);
        assertThat(sink.events)
                .filteredOn(e -> e.getTaskId().equals(tasks.get(0)))
                .allSatisfy(e -> assertThat(e.getGroupSize()).isEqualTo(3));
        assertThat(sink.events)
                .filteredOn(e -> e.getTaskId().equals(tasks.get(2)))
                .allSatisfy(e -> assertThat(e.getGroupSize()).isEqualTo(5));
        assertThat(sink.events).noneMatch(e -> e.getTaskId().equals(tasks.get(1)));
        assertThat(
                        sink.events.stream()
                                .filter(StepEvent::getDone)
                                .filter(e -> e.getTaskId().equals(tasks.get(2)))
                                .count())
                .isEqualTo(5);
    }

    @Test
    void theGateIsAskedBeforeEveryGroupAndEndsTheRun() {
        CollectingSink sink = new CollectingSink();
        SimulatedFleet fleet = SimulatedFleetTest.fleet(1).build();
        List<String> tasks = fleet.taskIds();
        RoundPlanner planner =
                () ->
                        List.of(
                                new RoundPlanner.Assignment(tasks.get(0), 3),
                                new RoundPlanner.Assignment(tasks.get(1), 0),
                                new RoundPlanner.Assignment(tasks.get(2), 5));
        List<String> asked = new ArrayList<>();
        List<Integer> heard = new ArrayList<>();
        FleetRunner runner =
                FleetRunner.builder(fleet, sink)
                        .planner(planner)
                        .gate(
                                (taskId, rollouts) -> {
                                    asked.add(taskId + "x" + rollouts);
                                    return asked.size() <= 3;
                                })
                        .afterGroup(group -> heard.add(group.episodes()))
                        .build();

        runner.run();

        assertThat(asked)
                .containsExactly(
                        tasks.get(0) + "x3",
                        tasks.get(2) + "x5",
                        tasks.get(0) + "x3",
                        tasks.get(2) + "x5");
        assertThat(heard).containsExactly(3, 5, 3);
        assertThat(runner.groups()).isEqualTo(3);
        assertThat(sink.flushes).isEqualTo(1);
    }

    @Test
    void withoutAPlannerTheGateSeesTheFleetsGroupSize() {
        SimulatedFleet fleet = SimulatedFleetTest.fleet(1).build();
        List<String> asked = new ArrayList<>();
        long[] groups = {0};
        FleetRunner runner =
                FleetRunner.builder(fleet, new CollectingSink())
                        .gate(
                                (taskId, rollouts) -> {
                                    asked.add(taskId + "x" + rollouts);
                                    return true;
                                })
                        .afterGroup(group -> groups[0]++)
                        .stopWhen(() -> groups[0] >= 4)
                        .build();

        runner.run();

        assertThat(runner.groups()).isEqualTo(4);
        assertThat(asked).hasSize(4).allMatch(a -> a.equals("nullx" + fleet.groupSize()));
    }

    @Test
    void stopEndsARunOnAnotherThread() throws Exception {
        CollectingSink sink = new CollectingSink();
        FleetRunner runner =
                FleetRunner.builder(SimulatedFleetTest.fleet(1).build(), sink)
                        .targetEventsPerSecond(1_000)
                        .build();
        Thread thread = new Thread(runner, "fleet-runner-test");
        thread.start();

        runner.stop();

        assertThat(runner.awaitFinished(10, TimeUnit.SECONDS)).isTrue();
        thread.join(TimeUnit.SECONDS.toMillis(10));
        assertThat(thread.isAlive()).isFalse();
        assertThat(sink.flushes).isEqualTo(1);
    }

    @Test
    void targetRateHoldsTheRunnerBack() {
        CollectingSink sink = new CollectingSink();
        FleetRunner runner =
                FleetRunner.builder(SimulatedFleetTest.fleet(1).build(), sink)
                        .targetEventsPerSecond(20_000)
                        .maxGroups(20)
                        .build();

        long start = System.nanoTime();
        runner.run();
        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        // The last group is due no earlier than its events divided by the rate.
        assertThat(elapsedMillis).isGreaterThanOrEqualTo(runner.events() * 1000 / 20_000 - 1);
    }

    @Test
    void aSinkFailureEndsTheRunAndIsKept() {
        StepEventSink broken =
                event -> {
                    throw new IllegalStateException("sink down");
                };
        FleetRunner runner =
                FleetRunner.builder(SimulatedFleetTest.fleet(1).build(), broken).build();

        assertThatThrownBy(runner::run).hasMessage("sink down");
        assertThat(runner.failure()).get().extracting(Throwable::getMessage).isEqualTo("sink down");
        assertThat(runner.groups()).isZero();
    }

    @Test
    void builderRejectsBadSettings() {
        SimulatedFleet fleet = SimulatedFleetTest.fleet(1).build();
        assertThatThrownBy(() -> FleetRunner.builder(fleet, null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FleetRunner.builder(fleet, e -> {}).targetEventsPerSecond(-1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FleetRunner.builder(fleet, e -> {}).maxGroups(-1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** Keeps what it is sent; a reusable in-memory stand-in for Kafka. */
    private static final class CollectingSink implements StepEventSink {
        final List<StepEvent> events = new ArrayList<>();
        int flushes;

        @Override
        public void send(StepEvent event) {
            events.add(event);
        }

        @Override
        public void flush() {
            flushes++;
        }
    }
}
