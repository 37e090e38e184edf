package io.creditstream.streams.options;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.configuration.Configuration;

/**
 * Builds one Flink {@link Configuration} from an optional YAML file (flat dotted keys or nested
 * maps, as Flink's config.yaml) overlaid with {@code -Dkey=value} pairs.
 */
public final class ConfigLoader {
    private ConfigLoader() {}

    public static Configuration load(Path yamlFile, Map<String, String> overrides) {
        Map<String, String> flat = new LinkedHashMap<>();
        if (yamlFile != null) {
            if (!Files.isRegularFile(yamlFile)) {
                throw new IllegalArgumentException(
                        "--config " + yamlFile + " does not exist or is not a file");
            }
            try {
                JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(yamlFile.toFile());
                if (root != null && !root.isNull()) {
                    if (!root.isObject()) {
                        throw new IllegalArgumentException(
                                "--config " + yamlFile + " must hold a YAML mapping of keys");
                    }
                    flatten("", root, flat);
                }
            } catch (IOException e) {
                throw new IllegalArgumentException(
                        "--config " + yamlFile + " is not valid YAML: " + e.getMessage(), e);
            }
        }
        if (overrides != null) {
            flat.putAll(overrides);
        }
        return Configuration.fromMap(flat);
    }

    private static void flatten(String prefix, JsonNode node, Map<String, String> out) {
        if (node.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                String key = prefix.isEmpty() ? field.getKey() : prefix + "." + field.getKey();
                flatten(key, field.getValue(), out);
            }
        } else if (node.isArray()) {
            StringBuilder joined = new StringBuilder();
            for (JsonNode item : node) {
                if (joined.length() > 0) {
                    joined.append(';');
                }
                joined.append(item.asText());
            }
            out.put(prefix, joined.toString());
        } else if (!node.isNull()) {
            out.put(prefix, node.asText());
        }
    }
}
