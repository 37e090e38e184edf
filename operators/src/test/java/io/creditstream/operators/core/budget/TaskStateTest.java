package io.creditstream.operators.core.budget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The {@code [valid, p, count]} row and its float32 copy of p. */
class TaskStateTest {

    @Test
    void keepsTheDoubleRateAndRoundsOnlyItsFloat32Copy() {
        TaskState state = new TaskState(true, 0.1, 16);

        assertThat(state.p()).isEqualTo(0.1);
        assertThat(state.p32()).isEqualTo((double) 0.1f).isNotEqualTo(0.1);
        assertThat(state.p32()).isEqualTo(0.10000000149011612);
    }

    @Test
    void isEffectiveOnlyWhenValidWithARateStrictlyInsideTheUnitInterval() {
        assertThat(new TaskState(true, 0.5, 16).effective()).isTrue();
        assertThat(new TaskState(true, 0.0, 16).effective()).isFalse();
        assertThat(new TaskState(true, 1.0, 16).effective()).isFalse();
        assertThat(new TaskState(false, 0.5, 3).effective()).isFalse();
        // Effective by its double rate even though the float32 copy is 1.
        assertThat(new TaskState(true, 1 - 1e-10, 16).effective()).isTrue();
    }

    @Test
    void unseenIsTheReferenceDefault() {
        assertThat(TaskState.unseen()).isEqualTo(new TaskState(false, 0.0, 0));
    }

    @Test
    void rejectsImpossibleRows() {
        assertThatThrownBy(() -> new TaskState(true, 1.5, 16))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[0, 1]");
        assertThatThrownBy(() -> new TaskState(true, Double.NaN, 16))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TaskState(false, 0.0, -1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("count");
        // An invalid row's p is never read, as in the reference.
        assertThat(new TaskState(false, 7.0, 0).valid()).isFalse();
    }
}
