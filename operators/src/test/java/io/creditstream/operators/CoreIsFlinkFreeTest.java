package io.creditstream.operators;

import static org.assertj.core.api.Assertions.assertThat;

import io.creditstream.operators.core.config.ConfigNames;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The kernels in {@code ..core} are plain Java: they run in the offline {@code estimate}, the
 * learner's study and their unit tests without Flink, and the Flink functions in {@code ..flink}
 * only adapt them. These tests fail naming each {@code core} source file that imports Flink or the
 * Flink adapters, or whose compiled classes refer to them (a fully qualified use needs no import).
 */
class CoreIsFlinkFreeTest {

    /** How class names appear in a class file's constant pool. */
    private static final List<String> FORBIDDEN =
            List.of("org/apache/flink/", "io/creditstream/operators/flink/");

    private static final String CORE = "io/creditstream/operators/core/";

    private static final Pattern IMPORT =
            Pattern.compile(
                    "^\\s*import\\s+(?:static\\s+)?((?:org\\.apache\\.flink|io\\.creditstream\\.operators\\.flink)\\.[\\w.*]+)");

    @Test
    void noCoreSourceImportsFlink() throws IOException {
        Path sources = Path.of(System.getProperty("basedir", "."), "src/main/java").resolve(CORE);
        assertThat(sources).as("core sources").isDirectory();
        List<String> offenders = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> walk = Files.walk(sources)) {
            files = walk.filter(f -> f.toString().endsWith(".java")).sorted().toList();
        }
        assertThat(files).as("core sources").isNotEmpty();
        for (Path file : files) {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            for (int i = 0; i < lines.size(); i++) {
                Matcher m = IMPORT.matcher(lines.get(i));
                if (m.find()) {
                    offenders.add(
                            "src/main/java/"
                                    + CORE
                                    + sources.relativize(file).toString().replace('\\', '/')
                                    + ":"
                                    + (i + 1)
                                    + " imports "
                                    + m.group(1));
                }
            }
        }
        assertThat(offenders)
                .as("core sources must not import Flink (keep Flink code in ..flink)")
                .isEmpty();
    }

    @Test
    void noCoreClassRefersToFlink() throws IOException, URISyntaxException {
        Path location =
                Path.of(
                        ConfigNames.class
                                .getProtectionDomain()
                                .getCodeSource()
                                .getLocation()
                                .toURI());
        List<String> offenders;
        if (Files.isDirectory(location)) {
            offenders = offenders(location);
        } else {
            try (FileSystem jar = FileSystems.newFileSystem(location)) {
                offenders = offenders(jar.getPath("/"));
            }
        }
        assertThat(offenders)
                .as("core classes must not refer to Flink (keep Flink code in ..flink)")
                .isEmpty();
    }

    /** "core/…/Foo.java refers to org/apache/flink/…" for every offending class under root. */
    static List<String> offenders(Path root) throws IOException {
        Path core = root.resolve(CORE);
        assertThat(core).as("compiled core classes").isDirectory();
        List<String> offenders = new ArrayList<>();
        List<Path> classes;
        try (Stream<Path> files = Files.walk(core)) {
            classes = files.filter(f -> f.toString().endsWith(".class")).sorted().toList();
        }
        assertThat(classes).as("compiled core classes").isNotEmpty();
        for (Path file : classes) {
            // Class names are ASCII, so the constant pool's modified UTF-8 reads as Latin-1.
            String pool = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
            TreeSet<String> found = new TreeSet<>();
            for (String forbidden : FORBIDDEN) {
                int at = pool.indexOf(forbidden);
                while (at >= 0) {
                    int end = at;
                    while (end < pool.length() && isNameChar(pool.charAt(end))) {
                        end++;
                    }
                    found.add(pool.substring(at, end));
                    at = pool.indexOf(forbidden, end);
                }
            }
            if (!found.isEmpty()) {
                offenders.add(sourceOf(root.relativize(file).toString()) + " refers to " + found);
            }
        }
        return offenders;
    }

    private static boolean isNameChar(char c) {
        return Character.isLetterOrDigit(c) || c == '/' || c == '$' || c == '_';
    }

    /** The source file of a class file: nested classes live in their outer class's file. */
    private static String sourceOf(String classFile) {
        String name = classFile.replace('\\', '/');
        int nested = name.indexOf('$');
        String outer = nested >= 0 ? name.substring(0, nested) : name.replace(".class", "");
        return "src/main/java/" + outer + ".java";
    }
}
