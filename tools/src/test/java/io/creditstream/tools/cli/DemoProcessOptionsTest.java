package io.creditstream.tools.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** How the demo's --learner-option and --fleet-option become the child processes' flags. */
class DemoProcessOptionsTest {

    @Test
    void flagEqualsValueBecomesTheChildsFlagAndValue() {
        assertThat(
                        DemoCommand.processArguments(
                                "--fleet-option", List.of("step-latency=5ms", "--workers=8")))
                .containsExactly("--step-latency", "5ms", "--workers", "8");
        assertThat(DemoCommand.processArguments("--learner-option", List.of("importance-cap=2")))
                .containsExactly("--importance-cap", "2");
    }

    @Test
    void anOptionWithoutAFlagNamesTheDemoFlagAndAnExample() {
        assertThatThrownBy(() -> DemoCommand.processArguments("--fleet-option", List.of("5ms")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "--fleet-option '5ms' must look like flag=value, e.g. --fleet-option"
                                + " step-latency=5ms");
        assertThatThrownBy(() -> DemoCommand.processArguments("--learner-option", List.of("=0.1")))
                .hasMessageContaining("e.g. --learner-option lr=0.003");
    }
}
