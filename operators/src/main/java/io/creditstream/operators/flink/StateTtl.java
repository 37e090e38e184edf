package io.creditstream.operators.flink;

import java.time.Duration;
import org.apache.flink.api.common.state.StateTtlConfig;

/**
 * The one place state time-to-live is declared: refreshed on create and write, expired values never
 * returned. Timers clear state when work completes or times out; the TTL is then a safety net
 * (twice the operator's timeout) against state orphaned by a changed configuration or a lost timer.
 * State with no timer (a task's statistics) expires when it has not been written for long.
 */
public final class StateTtl {
    private StateTtl() {}

    /** Twice {@code timeout}: for state a timer normally clears. */
    public static StateTtlConfig safetyNet(Duration timeout) {
        return expireAfter(timeout.multipliedBy(2));
    }

    /** State not written for {@code ttl} expires. */
    public static StateTtlConfig expireAfter(Duration ttl) {
        return StateTtlConfig.newBuilder(ttl)
                .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                .build();
    }

    /**
     * @throws IllegalArgumentException naming {@code key} unless the duration is positive
     */
    public static Duration requirePositive(Duration duration, String key) {
        if (duration == null || duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(
                    key + " must be a positive duration, got " + duration);
        }
        return duration;
    }
}
