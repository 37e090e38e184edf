package io.creditstream.tools.cli;

import io.creditstream.schemas.kafka.KafkaClientSecurity;
import io.creditstream.streams.kafka.KafkaIo;
import io.creditstream.streams.options.CreditstreamOptions;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.description.TextElement;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code creditstream options}: every option with its default and meaning. */
@Command(
        name = "options",
        mixinStandardHelpOptions = true,
        description = "List every creditstream option key with its default and description.")
public class OptionsCommand implements Callable<Integer> {
    @Option(names = "--markdown", description = "Print a Markdown table (used for the README).")
    boolean markdown;

    @Mixin ConfigMixin config;

    @Override
    public Integer call() {
        System.out.print(markdown ? markdownTable() : plainList());
        KafkaClientSecurity security = KafkaIo.clientSecurity(config.configuration());
        if (!security.isEmpty()) {
            System.out.println();
            System.out.println("Kafka client settings given (secrets masked):");
            security.masked().forEach((k, v) -> System.out.println("  " + k + "=" + v));
        }
        return 0;
    }

    /** The README's option table. */
    public static String markdownTable() {
        StringBuilder out = new StringBuilder();
        out.append("| key | default | description |\n|---|---|---|\n");
        for (ConfigOption<?> option : CreditstreamOptions.all()) {
            out.append("| `")
                    .append(option.key())
                    .append("` | ")
                    .append(defaultOf(option))
                    .append(" | ")
                    .append(descriptionOf(option).replace("|", "\\|"))
                    .append(" |\n");
        }
        return out.toString();
    }

    private static String plainList() {
        StringBuilder out = new StringBuilder();
        for (ConfigOption<?> option : CreditstreamOptions.all()) {
            out.append(option.key())
                    .append(" (default ")
                    .append(defaultOf(option).replace("`", ""))
                    .append(")\n    ")
                    .append(descriptionOf(option))
                    .append('\n');
        }
        return out.toString();
    }

    private static String defaultOf(ConfigOption<?> option) {
        if (!option.hasDefaultValue()) {
            return "(none)";
        }
        Object value = option.defaultValue();
        String text =
                value instanceof java.time.Duration d
                        ? org.apache.flink.util.TimeUtils.formatWithHighestUnit(d)
                        : String.valueOf(value);
        return "`" + text + "`";
    }

    private static String descriptionOf(ConfigOption<?> option) {
        StringBuilder text = new StringBuilder();
        option.description()
                .getBlocks()
                .forEach(
                        block -> {
                            if (block instanceof TextElement element) {
                                text.append(element.getFormat());
                            }
                        });
        return text.toString();
    }
}
