package io.creditstream.operators.flink.budget;

import io.creditstream.operators.core.budget.TaskState;
import java.util.Objects;

/** A task's {@code [valid, p, count]} answering one {@link RoundProbe}; a Flink POJO. */
public class TaskStateReply {
    public RoundProbe probe;
    public boolean valid;
    public double p;
    public long count;

    public TaskStateReply() {}

    public TaskStateReply(RoundProbe probe, boolean valid, double p, long count) {
        this.probe = probe;
        this.valid = valid;
        this.p = p;
        this.count = count;
    }

    /** The reply to {@code probe} with the task's state. */
    public static TaskStateReply of(RoundProbe probe, TaskState state) {
        return new TaskStateReply(probe, state.valid(), state.p(), state.count());
    }

    /** The key of {@link RoundAllocator}: {@code experimentId/roundId}. */
    public String roundKey() {
        return probe.roundKey();
    }

    /**
     * The kernel's view of this reply.
     *
     * @throws IllegalArgumentException when the fields are not a task state (e.g. a valid p outside
     *     [0, 1])
     */
    public TaskState taskState() {
        return new TaskState(valid, p, count);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof TaskStateReply)) {
            return false;
        }
        TaskStateReply that = (TaskStateReply) o;
        return valid == that.valid
                && Double.compare(p, that.p) == 0
                && count == that.count
                && Objects.equals(probe, that.probe);
    }

    @Override
    public int hashCode() {
        return Objects.hash(probe, valid, p, count);
    }

    @Override
    public String toString() {
        return "TaskStateReply{"
                + probe
                + ", valid="
                + valid
                + ", p="
                + p
                + ", count="
                + count
                + "}";
    }
}
