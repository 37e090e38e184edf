package io.creditstream.operators.flink.credit;

import static org.assertj.core.api.Assertions.assertThat;

import io.creditstream.operators.core.credit.StalenessPolicy;
import io.creditstream.operators.core.prm.OprlGroups;
import io.creditstream.schemas.PolicySnapshot;
import io.creditstream.schemas.internal.Trajectory;
import io.creditstream.schemas.internal.TrajectoryGroup;
import io.creditstream.schemas.trust.SigningKeys;
import io.creditstream.schemas.trust.SnapshotGate;
import io.creditstream.schemas.trust.SnapshotSignatures;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.streaming.util.BroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StalenessFilterTest {

    private static TrajectoryGroup group(String experiment, String id, long version) {
        TrajectoryGroup group = OprlGroups.varied(experiment, id, 1);
        List<Trajectory> trajectories = new ArrayList<>();
        for (Trajectory t : group.getTrajectories()) {
            trajectories.add(Trajectory.newBuilder(t).setPolicyVersion(version).build());
        }
        return TrajectoryGroup.newBuilder(group).setTrajectories(trajectories).build();
    }

    private static PolicySnapshot snapshot(String experiment, long version) {
        return PolicySnapshot.newBuilder()
                .setExperimentId(experiment)
                .setVersion(version)
                .setCreatedTimeMs(0)
                .setArtifactUri("file:///tmp/p")
                .setSha256("00")
                .setMetrics(Map.of())
                .build();
    }

    @Test
    void dropsGroupsThatLagTheNewestSnapshotOfTheirOwnExperiment() throws Exception {
        BroadcastOperatorTestHarness<TrajectoryGroup, PolicySnapshot, TrajectoryGroup> harness =
                ProcessFunctionTestHarnesses.forBroadcastProcessFunction(
                        new StalenessFilter(new StalenessPolicy(2, 2)),
                        StalenessFilter.NEWEST_VERSIONS);

        harness.processElement(group("a", "before-any-snapshot", 0), 0);
        harness.processBroadcastElement(snapshot("a", 5), 0);
        // An older snapshot arriving late does not move the newest version back.
        harness.processBroadcastElement(snapshot("a", 4), 0);
        harness.processElement(group("a", "lag-2", 3), 0);
        harness.processElement(group("a", "lag-3", 2), 0);
        harness.processElement(group("b", "other-experiment", 0), 0);

        assertThat(harness.extractOutputValues())
                .extracting(TrajectoryGroup::getGroupId)
                .containsExactly("before-any-snapshot", "lag-2", "other-experiment");
        harness.close();
    }

    @Test
    void ignoresSnapshotVersionsOutsideTheSaneRange() throws Exception {
        BroadcastOperatorTestHarness<TrajectoryGroup, PolicySnapshot, TrajectoryGroup> harness =
                ProcessFunctionTestHarnesses.forBroadcastProcessFunction(
                        new StalenessFilter(new StalenessPolicy(2, 2)),
                        StalenessFilter.NEWEST_VERSIONS);

        harness.processBroadcastElement(snapshot("a", 5), 0);
        // A forged 2^62 would make every later trajectory of "a" stale for good.
        harness.processBroadcastElement(snapshot("a", 1L << 62), 0);
        harness.processBroadcastElement(snapshot("a", -1), 0);
        harness.processElement(group("a", "fresh", 4), 0);

        assertThat(harness.extractOutputValues())
                .extracting(TrajectoryGroup::getGroupId)
                .containsExactly("fresh");
        harness.close();
    }

    @Test
    void believesOnlySignedSnapshotsWithinTheVersionJumpAndCountsTheRest(@TempDir Path keys)
            throws Exception {
        SigningKeys.KeyFiles files = SigningKeys.generate(keys.resolve("learner"));
        PrivateKey learnerKey = SigningKeys.readPrivateKey(files.privateKey());
        PrivateKey otherKey =
                SigningKeys.readPrivateKey(
                        SigningKeys.generate(keys.resolve("other")).privateKey());
        SnapshotGate gate = new SnapshotGate(SigningKeys.readPublicKey(files.publicKey()), 100);
        BroadcastOperatorTestHarness<TrajectoryGroup, PolicySnapshot, TrajectoryGroup> harness =
                ProcessFunctionTestHarnesses.forBroadcastProcessFunction(
                        new StalenessFilter(new StalenessPolicy(2, 2), gate),
                        StalenessFilter.NEWEST_VERSIONS);

        harness.processBroadcastElement(SnapshotSignatures.sign(snapshot("a", 5), learnerKey), 0);
        // The forgery, unsigned and signed with another key, and a signed far jump.
        harness.processBroadcastElement(snapshot("a", 1L << 62), 0);
        harness.processBroadcastElement(snapshot("a", 1L << 40), 0);
        harness.processBroadcastElement(
                SnapshotSignatures.sign(snapshot("a", 1L << 40), otherKey), 0);
        harness.processBroadcastElement(SnapshotSignatures.sign(snapshot("a", 106), learnerKey), 0);
        harness.processElement(group("a", "lag-1", 4), 0);
        // A later real snapshot is believed, and moves the bar.
        harness.processBroadcastElement(SnapshotSignatures.sign(snapshot("a", 9), learnerKey), 0);
        harness.processElement(group("a", "lag-5", 4), 0);
        harness.processElement(group("a", "lag-0", 9), 0);

        assertThat(harness.extractOutputValues())
                .extracting(TrajectoryGroup::getGroupId)
                .containsExactly("lag-1", "lag-0");
        assertThat(harness.getBroadcastState(StalenessFilter.NEWEST_VERSIONS).get("a"))
                .isEqualTo(9L);
        harness.close();
    }
}
