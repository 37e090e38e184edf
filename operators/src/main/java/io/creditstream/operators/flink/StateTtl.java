package io.creditstream.operators.flink;

import java.time.Duration;
import org.apache.flink.api.common.state.StateTtlConfig;

/**
 * The one place state time-to-live is declared. Timers clear state when work completes or times
 * out; the TTL is a safety net (twice the operator's timeout) against state orphaned by a changed
 * configuration or a lost timer.
 */
final class StateTtl {
    private StateTtl() {}

    static StateTtlConfig safetyNet(Duration timeout) {
        return StateTtlConfig.newBuilder(timeout.multipliedBy(2))
                .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                .build();
    }
}
