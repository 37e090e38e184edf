package io.creditstream.fleet.policy;

import io.creditstream.fleet.env.TextEnvironment;
import java.util.List;

/** The policy that acts in a {@link TextEnvironment}, as seen by the simulated fleet. */
public interface AgentPolicy {

    /** Chooses one of {@code actions} for {@code observation}. */
    PolicyDecision act(String observation, List<String> actions);

    /** The snapshot version this policy samples from, written to every step as policy_version. */
    long version();
}
