package io.creditstream.schemas.preflight;

/**
 * The exit statuses of every creditstream command, the {@code creditstream} CLI's and the policy
 * processes' alike. A status above 1 always comes with one {@code error: …} line on stderr (and at
 * most one more with what to check), printed before the command starts its real work; 1 is left for
 * what no check foresaw. The README's exit-code table is {@link #markdownTable()}, which a test
 * keeps in step.
 */
public enum ExitCode {
    OK(0, "Done.", "—"),
    FAILED(
            1,
            "Failed while running: what no check before the start could foresee (the message, or"
                    + " a stack trace, says what).",
            "a job that fails after it started; `fleet` waiting in vain for the learner's first"
                    + " snapshot"),
    USAGE(
            2,
            "A flag, option or value is wrong; the message names it (and the closest real option"
                    + " for a misspelt one).",
            "`-Dcredit.estimatr=grpo`; `--input` that is not a file; `kafka.bootstrap-servers`"
                    + " that is not host:port"),
    IN_USE(
            3,
            "Another live process holds what the command needs.",
            "a second `run` on the same checkpoint directory (the first one's PID is named);"
                    + " `kafka --port` on a port in use"),
    KAFKA(
            4,
            "Kafka: no broker answered at the address within the connect timeout, the address"
                    + " does not resolve, the broker refused the client's security settings, or"
                    + " a topic the job needs is missing while topic creation is off.",
            "`run -Dkafka.bootstrap-servers=127.0.0.1:1`; `learner --bootstrap-servers"
                    + " nohost:9092`; `run -Dkafka.create-topics=false` without the topics"),
    FILES(
            5,
            "A file or directory the command must write cannot be created or written (checked"
                    + " before it starts), or an input file cannot be read.",
            "`estimate --output` inside a file or onto a directory; an unwritable"
                    + " `--checkpoint-dir`, learner `--store` or `--checkpoint`; `study --csv`"),
    NO_INPUT(
            6,
            "The input holds nothing usable: nothing was written. (An empty `estimate --input`"
                    + " is not this: it writes an empty output and exits 0.)",
            "every line of `estimate --input` rejected; an empty `budget --input`; a `study"
                    + " plot` CSV without rows");

    private final int code;
    private final String meaning;
    private final String examples;

    ExitCode(int code, String meaning, String examples) {
        this.code = code;
        this.meaning = meaning;
        this.examples = examples;
    }

    /** The process exit status. */
    public int code() {
        return code;
    }

    /** What the status means, one sentence or two. */
    public String meaning() {
        return meaning;
    }

    /** Typical causes, for the README. */
    public String examples() {
        return examples;
    }

    /** The README's table of exit statuses. */
    public static String markdownTable() {
        StringBuilder table = new StringBuilder();
        table.append("| status | meaning | for example |\n");
        table.append("|---|---|---|\n");
        for (ExitCode exit : values()) {
            table.append("| ")
                    .append(exit.code)
                    .append(" | ")
                    .append(exit.meaning)
                    .append(" | ")
                    .append(exit.examples)
                    .append(" |\n");
        }
        return table.toString();
    }
}
