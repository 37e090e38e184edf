package io.creditstream.operators.flink.prm;

import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.state.MapState;

/**
 * The in-stream PRM's weights of the current key as a {@link Map}, backed by keyed map state: a
 * read-through cache for one group, so that scoring a step twice reads RocksDB once, and a write-
 * back of only the features the update changed. The size is carried in value state instead of
 * counted, because counting would scan every weight on every group.
 *
 * <p>Only {@link #entrySet()} (the bound's eviction and snapshots) scans the state. Call {@link
 * #flush()} before the group's processing ends; one instance serves one key and one group.
 */
final class MapStateWeights extends AbstractMap<Integer, Double> {
    private final MapState<Integer, Double> state;
    private final Map<Integer, Double> cache = new HashMap<>();
    private final Set<Integer> dirty = new HashSet<>();
    private int size;

    /**
     * @param state the current key's weights
     * @param size the number of entries in {@code state}, as last recorded
     */
    MapStateWeights(MapState<Integer, Double> state, int size) {
        this.state = state;
        this.size = size;
    }

    @Override
    public Double get(Object key) {
        if (!(key instanceof Integer feature)) {
            return null;
        }
        if (cache.containsKey(feature)) {
            return cache.get(feature);
        }
        Double value = read(feature);
        cache.put(feature, value);
        return value;
    }

    @Override
    public boolean containsKey(Object key) {
        return get(key) != null;
    }

    @Override
    public Double getOrDefault(Object key, Double defaultValue) {
        Double value = get(key);
        return value != null ? value : defaultValue;
    }

    @Override
    public Double put(Integer feature, Double value) {
        Double previous = get(feature);
        cache.put(feature, value);
        dirty.add(feature);
        if (previous == null) {
            size++;
        }
        return previous;
    }

    @Override
    public Double remove(Object key) {
        Double previous = get(key);
        if (previous != null) {
            Integer feature = (Integer) key;
            cache.put(feature, null);
            dirty.add(feature);
            size--;
        }
        return previous;
    }

    @Override
    public int size() {
        return size;
    }

    /** A copy of every weight, read from the state after writing the pending changes. */
    @Override
    public Set<Entry<Integer, Double>> entrySet() {
        flush();
        List<Entry<Integer, Double>> entries = new ArrayList<>(size);
        try {
            for (Entry<Integer, Double> e : state.entries()) {
                entries.add(new SimpleImmutableEntry<>(e.getKey(), e.getValue()));
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the PRM weights from state", e);
        }
        // A copy: the caller (eviction) removes entries through this map while it walks them.
        return Collections.unmodifiableSet(new LinkedHashSet<>(entries));
    }

    /** The first changed weight that is not finite, described; null when all are finite. */
    String firstNonFiniteChange() {
        for (Integer feature : dirty) {
            Double value = cache.get(feature);
            if (value != null && !Double.isFinite(value)) {
                return "the PRM update would set weight " + feature + " to " + value;
            }
        }
        return null;
    }

    /** Writes the changed weights to the state. */
    void flush() {
        try {
            for (Integer feature : dirty) {
                Double value = cache.get(feature);
                if (value == null) {
                    state.remove(feature);
                } else {
                    state.put(feature, value);
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot write the PRM weights to state", e);
        }
        dirty.clear();
    }

    private Double read(Integer feature) {
        try {
            return state.get(feature);
        } catch (Exception e) {
            throw new IllegalStateException("cannot read PRM weight " + feature + " from state", e);
        }
    }
}
