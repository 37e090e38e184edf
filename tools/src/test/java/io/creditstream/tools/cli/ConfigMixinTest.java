package io.creditstream.tools.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.creditstream.operators.core.credit.AnchorMemoryParams;
import io.creditstream.operators.core.credit.AnchorSimilarity;
import io.creditstream.streams.options.CreditstreamOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ConfigMixinTest {
    @TempDir Path dir;

    @Test
    void dashDOverridesTheYamlFileAndFlinkKeysPassThrough() throws Exception {
        Path yaml = dir.resolve("conf.yaml");
        Files.writeString(
                yaml, "credit:\n  estimator: grpo\n  gamma: 0.9\nparallelism.default: 3\n");
        EstimateCommand command = new EstimateCommand();
        new CommandLine(command)
                .parseArgs(
                        "--input",
                        "in",
                        "--output",
                        "out",
                        "--config",
                        yaml.toString(),
                        "-Dcredit.gamma=0.5");

        Configuration config = command.config.configuration();

        assertThat(config.get(CreditstreamOptions.ESTIMATOR)).isEqualTo("grpo");
        assertThat(config.get(CreditstreamOptions.GAMMA)).isEqualTo(0.5);
        assertThat(config.getString("parallelism.default", null)).isEqualTo("3");
        assertThat(CreditstreamOptions.creditParams(config).gamma()).isEqualTo(0.5);
    }

    @Test
    void gigpoSimilarityGroupingIsConfiguredByTwoKeys() {
        EstimateCommand command = new EstimateCommand();
        new CommandLine(command)
                .parseArgs(
                        "--input",
                        "in",
                        "--output",
                        "out",
                        "-Dcredit.gigpo.similarity=true",
                        "-Dcredit.gigpo.similarity-threshold=0.9");

        AnchorSimilarity similarity =
                CreditstreamOptions.creditParams(command.config.configuration()).anchorSimilarity();

        assertThat(similarity).isEqualTo(new AnchorSimilarity(true, 0.9));
        Configuration exact = new Configuration();
        exact.set(CreditstreamOptions.GIGPO_SIMILARITY_THRESHOLD, 1.0);
        assertThatThrownBy(() -> CreditstreamOptions.creditParams(exact))
                .hasMessageContaining("credit.gigpo.similarity-threshold must be in (0, 1)");
    }

    @Test
    void gigpoAnchorMemoryIsConfiguredByFourKeysAndRefusesSimilarity() {
        EstimateCommand command = new EstimateCommand();
        new CommandLine(command)
                .parseArgs(
                        "--input",
                        "in",
                        "--output",
                        "out",
                        "-Dcredit.gigpo.anchor-memory.enabled=true",
                        "-Dcredit.gigpo.anchor-memory.groups=4",
                        "-Dcredit.gigpo.anchor-memory.max-anchors=100",
                        "-Dcredit.gigpo.anchor-memory.decay=0.25");
        Configuration config = command.config.configuration();

        assertThat(CreditstreamOptions.anchorMemoryParams(config))
                .isEqualTo(new AnchorMemoryParams(true, 4, 100, 0.25));
        assertThat(CreditstreamOptions.anchorMemoryParams(new Configuration()).enabled()).isFalse();

        config.set(CreditstreamOptions.GIGPO_SIMILARITY, true);
        assertThatThrownBy(() -> CreditstreamOptions.anchorMemoryParams(config))
                .hasMessageContaining("credit.gigpo.anchor-memory.enabled")
                .hasMessageContaining("credit.gigpo.similarity");
        Configuration grpo = new Configuration();
        grpo.set(CreditstreamOptions.GIGPO_ANCHOR_MEMORY, true);
        grpo.set(CreditstreamOptions.ESTIMATOR, "grpo");
        assertThatThrownBy(() -> CreditstreamOptions.anchorMemoryParams(grpo))
                .hasMessageContaining("credit.estimator=gigpo");
        Configuration noDecay = new Configuration();
        noDecay.set(CreditstreamOptions.GIGPO_ANCHOR_MEMORY_DECAY, 0.0);
        assertThatThrownBy(() -> CreditstreamOptions.anchorMemoryParams(noDecay))
                .hasMessageContaining("credit.gigpo.anchor-memory.decay must be in (0, 1]");
    }

    @Test
    void aMisspeltKeyIsRejectedWithTheClosestRealOne() {
        EstimateCommand command = new EstimateCommand();
        new CommandLine(command)
                .parseArgs("--input", "in", "--output", "out", "-Dcredit.estmator=grpo");

        assertThatThrownBy(() -> command.config.configuration())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown option 'credit.estmator'")
                .hasMessageContaining("did you mean 'credit.estimator'");
    }

    @Test
    void aBadValueNamesTheKeyAndTheAcceptedValues() {
        Configuration config = new Configuration();
        config.set(CreditstreamOptions.ESTIMATOR, "ppo");

        assertThatThrownBy(() -> CreditstreamOptions.creditParams(config))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("credit.estimator")
                .hasMessageContaining("gigpo");
    }

    @Test
    void aMissingConfigFileIsNamed() {
        EstimateCommand command = new EstimateCommand();
        new CommandLine(command)
                .parseArgs("--input", "in", "--output", "out", "--config", "nope.yaml");

        assertThatThrownBy(() -> command.config.configuration())
                .hasMessageContaining("--config nope.yaml does not exist");
    }
}
