package io.creditstream.operators.flink;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.runtime.state.FunctionInitializationContext;

/**
 * Open episodes (or groups) per experiment on one subtask: the source of the open-state gauges and
 * of the per-experiment limit.
 *
 * <p>Kept in operator state, so a restored job starts from the counts it had instead of from zero
 * (which made the gauges go negative as restored work completed). On a rescale Flink deals the
 * entries out among the new subtasks: the sum over subtasks stays exact, while one subtask's own
 * count is then approximate until its restored work has left.
 *
 * <p>Used by both assemblers, it stays in this package: checkpoints record the class name of its
 * {@link Entry}, so a move would make earlier ones unrestorable.
 */
public final class OpenCounts {

    /** One experiment's count, as stored in operator state (a Flink POJO). */
    public static final class Entry {
        public String experimentId;
        public long count;

        public Entry() {}

        Entry(String experimentId, long count) {
            this.experimentId = experimentId;
            this.count = count;
        }
    }

    private final Map<String, Long> counts = new HashMap<>();
    private ListState<Entry> state;
    private long total;

    public void initialize(FunctionInitializationContext context, String stateName)
            throws Exception {
        state =
                context.getOperatorStateStore()
                        .getListState(
                                new ListStateDescriptor<>(
                                        stateName, TypeInformation.of(Entry.class)));
        counts.clear();
        total = 0;
        if (context.isRestored()) {
            for (Entry entry : state.get()) {
                counts.merge(entry.experimentId, entry.count, Long::sum);
                total += entry.count;
            }
        }
    }

    public void snapshot() throws Exception {
        var entries = new ArrayList<Entry>(counts.size());
        counts.forEach((experiment, count) -> entries.add(new Entry(experiment, count)));
        state.update(entries);
    }

    public long total() {
        return total;
    }

    public long of(String experimentId) {
        return counts.getOrDefault(experimentId, 0L);
    }

    public void increment(String experimentId) {
        counts.merge(experimentId, 1L, Long::sum);
        total++;
    }

    public void decrement(String experimentId) {
        // Entries at zero are removed so the map holds only experiments with open work. After a
        // rescale a count may go below zero here while another subtask holds the surplus.
        counts.merge(experimentId, -1L, (a, b) -> a + b == 0 ? null : a + b);
        total--;
    }
}
