package io.creditstream.fleet.policy;

import java.util.List;
import java.util.Objects;

/**
 * The policy a fleet is built with when the policy changes while it runs: whoever owns the fleet
 * puts the newest snapshot's policy behind it with {@link #use}, between rollout groups, so that
 * one group is played by one policy version. Not thread-safe: one per fleet.
 */
public final class SwitchablePolicy implements AgentPolicy {
    private AgentPolicy current;

    /** Acts with {@code policy} from now on. */
    public void use(AgentPolicy policy) {
        this.current = Objects.requireNonNull(policy, "policy");
    }

    @Override
    public PolicyDecision act(String observation, List<String> actions) {
        return current().act(observation, actions);
    }

    @Override
    public long version() {
        return current().version();
    }

    private AgentPolicy current() {
        if (current == null) {
            throw new IllegalStateException("no policy yet: call use(policy) first");
        }
        return current;
    }
}
