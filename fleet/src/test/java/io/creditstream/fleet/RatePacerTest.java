package io.creditstream.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RatePacerTest {

    @Test
    void theNthEventIsDueNOverTheRateAfterTheStart() {
        RatePacer pacer = new RatePacer(2_000, 1_000);

        assertThat(pacer.dueNanos(0)).isEqualTo(1_000);
        assertThat(pacer.dueNanos(1)).isEqualTo(1_000 + 500_000);
        assertThat(pacer.dueNanos(2_000)).isEqualTo(1_000 + 1_000_000_000L);
    }

    @Test
    void doesNotWaitForAnEventAlreadyDueOrWhenAskedToStop() {
        long now = System.nanoTime();
        // Due in the past: no wait at all.
        new RatePacer(1, now - 10_000_000_000L).awaitDue(1, () -> false);
        // Due in ~11 days: the stop request ends the wait at once.
        new RatePacer(1, now).awaitDue(1_000_000, () -> true);
    }

    @Test
    void rejectsARateThatIsNotPositiveAndFinite() {
        for (double rate : new double[] {0, -1, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertThatThrownBy(() -> new RatePacer(rate, 0))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("eventsPerSecond");
        }
    }
}
