package io.creditstream.operators.core.credit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link SequenceMatcherRatio} against CPython's own {@code difflib} on random pairs: small
 * alphabets (many ties and repeats), second strings around and above autojunk's 200 characters,
 * near-copies like the observations GiGPO compares, and characters outside the BMP. The test needs
 * Debian's {@code /usr/bin/python3} (installed by scripts/install-test-deps), or the interpreter
 * named by {@code -Dpython.executable}.
 */
class SequenceMatcherRatioPythonTest {

    private static final String PYTHON =
            System.getProperty("python.executable", "/usr/bin/python3");

    private static final String SCRIPT =
            String.join(
                    "\n",
                    "import sys, json, difflib",
                    "for line in open(sys.argv[1], encoding='utf-8'):",
                    "    a, b, autojunk = json.loads(line)",
                    "    r = difflib.SequenceMatcher(None, a, b, autojunk=autojunk).ratio()",
                    "    print(repr(r))");

    @Test
    void agreesWithCpythonDifflibBitForBit(@TempDir Path dir) throws Exception {
        Random random = new Random(20261202L);
        List<String[]> pairs = new ArrayList<>();
        List<Boolean> autojunk = new ArrayList<>();
        // The widest alphabet puts character counts of a 200-400 character b right around
        // autojunk's |b|/100 + 1, where an off-by-one would show.
        String[] alphabets = {
            "ab", "abcde ", "abcdefghij\uD83D\uDE00", "0123456789abcdefghijklmnopqrstuvwxyz"
        };
        for (int n = 0; n < 800; n++) {
            String alphabet = alphabets[n % alphabets.length];
            String a = randomText(random, alphabet, random.nextInt(n % 5 == 0 ? 400 : 60));
            if (n % 4 == 3) {
                a = randomText(random, alphabet, 200 + random.nextInt(200));
            }
            String b =
                    n % 2 == 0
                            ? mutate(random, a, alphabet)
                            : randomText(random, alphabet, random.nextInt(400));
            pairs.add(new String[] {a, b});
            autojunk.add(n % 7 != 0);
        }
        Path input = dir.resolve("pairs.jsonl");
        StringBuilder lines = new StringBuilder();
        for (int n = 0; n < pairs.size(); n++) {
            lines.append('[')
                    .append(json(pairs.get(n)[0]))
                    .append(',')
                    .append(json(pairs.get(n)[1]))
                    .append(',')
                    .append(autojunk.get(n) ? "true" : "false")
                    .append("]\n");
        }
        Files.writeString(input, lines, StandardCharsets.UTF_8);

        List<String> expected = runPython(dir, input);

        assertThat(expected).hasSize(pairs.size());
        for (int n = 0; n < pairs.size(); n++) {
            double ratio =
                    SequenceMatcherRatio.ratio(pairs.get(n)[0], pairs.get(n)[1], autojunk.get(n));
            assertThat(ratio)
                    .as(
                            "pair %d: %s | %s (autojunk %s)",
                            n, pairs.get(n)[0], pairs.get(n)[1], autojunk.get(n))
                    .isEqualTo(Double.parseDouble(expected.get(n)));
            assertThat(SequenceMatcherRatio.quickRatioBound(pairs.get(n)[0], pairs.get(n)[1]))
                    .isGreaterThanOrEqualTo(ratio);
        }
    }

    /**
     * GiGPO's greedy similarity clustering against the reference's loop run by CPython on the same
     * rows: each row's cluster, numbered in order of first appearance, must be the same. The rows
     * are near-copies of a few maze-like observations, so clusters form, split and repeat.
     */
    @Test
    void similarityClustersAgreeWithTheReferenceLoop(@TempDir Path dir) throws Exception {
        Random random = new Random(7L);
        String alphabet = "#.KDG@ |";
        List<String> bases = new ArrayList<>();
        for (int b = 0; b < 4; b++) {
            bases.add(randomText(random, alphabet, 30 + random.nextInt(20)));
        }
        List<String> rows = new ArrayList<>();
        for (int r = 0; r < 300; r++) {
            rows.add(mutate(random, bases.get(random.nextInt(bases.size())), alphabet));
        }
        double threshold = 0.93;
        Path input = dir.resolve("rows.jsonl");
        StringBuilder lines = new StringBuilder();
        for (String row : rows) {
            lines.append(json(row)).append('\n');
        }
        Files.writeString(input, lines, StandardCharsets.UTF_8);
        Path script = dir.resolve("clusters.py");
        Files.writeString(
                script,
                String.join(
                        "\n",
                        "import sys, json, difflib",
                        "rows = [json.loads(l) for l in open(sys.argv[1], encoding='utf-8')]",
                        "clusters = []",
                        "for obs in rows:",
                        "    for n, c in enumerate(clusters):",
                        "        if difflib.SequenceMatcher(None, obs, c).ratio() >= "
                                + threshold
                                + ":",
                        "            print(n); break",
                        "    else:",
                        "        clusters.append(obs); print(len(clusters) - 1)"));

        List<String> expected = runPython(script, input, dir.resolve("clusters.txt"));

        List<TrajectorySample> group = new ArrayList<>();
        for (int r = 0; r < rows.size(); r++) {
            group.add(
                    new TrajectorySample(
                            "t" + r, 0.0, List.of(new StepSample(rows.get(r), 0, false))));
        }
        GigpoStepAdvantage.AnchorGroups groups =
                GigpoStepAdvantage.anchorGroups(
                        group, rows.size(), new AnchorSimilarity(true, threshold));
        List<String> actual = new ArrayList<>();
        for (int r = 0; r < rows.size(); r++) {
            actual.add(Integer.toString(groups.groupOf(r)));
        }
        assertThat(actual).isEqualTo(expected);
        assertThat(actual.stream().distinct().count())
                .as("the rows must form several clusters, some of several rows")
                .isBetween(5L, 200L);
    }

    private static List<String> runPython(Path dir, Path input)
            throws IOException, InterruptedException {
        Path script = dir.resolve("ratios.py");
        Files.writeString(script, SCRIPT);
        return runPython(script, input, dir.resolve("ratios.txt"));
    }

    private static List<String> runPython(Path script, Path input, Path output)
            throws IOException, InterruptedException {
        Process python =
                new ProcessBuilder(PYTHON, script.toString(), input.toString())
                        .redirectOutput(output.toFile())
                        .redirectError(ProcessBuilder.Redirect.INHERIT)
                        .start();
        // A hang guard only: the script takes well under a second.
        assertThat(python.waitFor(10, TimeUnit.MINUTES)).as("python finished").isTrue();
        assertThat(python.exitValue()).as("python exit status").isZero();
        return Files.readAllLines(output);
    }

    private static String randomText(Random random, String alphabet, int length) {
        int[] symbols = alphabet.codePoints().toArray();
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < length; i++) {
            text.appendCodePoint(symbols[random.nextInt(symbols.length)]);
        }
        return text.toString();
    }

    /** A copy of {@code text} with a few code points replaced, inserted or deleted. */
    private static String mutate(Random random, String text, String alphabet) {
        int[] symbols = alphabet.codePoints().toArray();
        List<Integer> points = new ArrayList<>();
        text.codePoints().forEach(points::add);
        int edits = random.nextInt(6);
        for (int e = 0; e < edits; e++) {
            int kind = random.nextInt(3);
            int at = points.isEmpty() ? 0 : random.nextInt(points.size());
            int symbol = symbols[random.nextInt(symbols.length)];
            if (kind == 0 && !points.isEmpty()) {
                points.set(at, symbol);
            } else if (kind == 1) {
                points.add(at, symbol);
            } else if (!points.isEmpty()) {
                points.remove(at);
            }
        }
        StringBuilder copy = new StringBuilder();
        points.forEach(copy::appendCodePoint);
        return copy.toString();
    }

    private static String json(String text) {
        StringBuilder out = new StringBuilder("\"");
        text.codePoints()
                .forEach(
                        c -> {
                            if (c == '"' || c == '\\') {
                                out.append('\\').appendCodePoint(c);
                            } else {
                                out.appendCodePoint(c);
                            }
                        });
        return out.append('"').toString();
    }
}
