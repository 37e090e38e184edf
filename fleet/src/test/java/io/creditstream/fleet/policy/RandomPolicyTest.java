package io.creditstream.fleet.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The random policy is uniform, seeded, and reports log(1/|A|). */
class RandomPolicyTest {
    private static final List<String> ACTIONS = List.of("a", "b", "c", "d");

    @Test
    void logProbIsLogOfOneOverTheNumberOfActions() {
        PolicyDecision decision = new RandomPolicy(1).act("obs", ACTIONS);

        assertThat(decision.logProb()).isCloseTo(Math.log(0.25), within(1e-12));
        assertThat(ACTIONS).contains(decision.action());
    }

    @Test
    void choicesAreUniformAndDeterministicUnderTheSeed() {
        RandomPolicy first = new RandomPolicy(9);
        RandomPolicy second = new RandomPolicy(9);
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < 4000; i++) {
            String action = first.act("obs", ACTIONS).action();
            assertThat(second.act("obs", ACTIONS).action()).isEqualTo(action);
            counts.merge(action, 1, Integer::sum);
        }
        // Expected 1000 each; 4 standard deviations is about 110.
        assertThat(counts).hasSize(4);
        assertThat(counts.values()).allSatisfy(n -> assertThat(n).isBetween(880, 1120));
    }

    @Test
    void versionDefaultsToZeroAndEmptyActionsAreRejected() {
        assertThat(new RandomPolicy(1).version()).isZero();
        assertThat(new RandomPolicy(1, 7).version()).isEqualTo(7);
        assertThatThrownBy(() -> new RandomPolicy(1).act("obs", List.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
