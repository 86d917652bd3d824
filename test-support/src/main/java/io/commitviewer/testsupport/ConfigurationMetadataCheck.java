package io.commitviewer.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.util.Collections;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Checks a service's own settings against the configuration metadata the Spring Boot
 * configuration processor wrote for it: every {@code prefix.*} key that {@code application.yml}
 * sets must be described, and no default the metadata states may contradict the file's.
 */
public final class ConfigurationMetadataCheck {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{[A-Z0-9_]+:(.*)}");

    private ConfigurationMetadataCheck() {
    }

    /** The problems found, one line each; empty when the metadata describes every key. */
    public static List<String> problems(ClassLoader classLoader, String prefix) {
        Map<String, String> settings = settings(classLoader, prefix);
        Map<String, JsonNode> metadata = metadata(classLoader);
        List<String> problems = new ArrayList<>();
        if (settings.isEmpty()) {
            problems.add("application.yml sets no " + prefix + ".* key");
        }
        settings.forEach((key, value) -> {
            JsonNode property = metadata.get(key);
            if (property == null) {
                problems.add(key + ": no metadata (not bound by a @ConfigurationProperties record?)");
                return;
            }
            if (!property.has("description") || property.get("description").asString().isBlank()) {
                problems.add(key + ": no description (a @param line on the record component)");
            }
            if (property.has("defaultValue") && !property.get("defaultValue").asString().equals(value)) {
                problems.add(key + ": metadata says the default is " + property.get("defaultValue").asString()
                        + ", application.yml says " + value);
            }
        });
        return problems;
    }

    /** The leaf keys of application.yml under the prefix, with their values (a placeholder's default). */
    static Map<String, String> settings(ClassLoader classLoader, String prefix) {
        try (InputStream in = classLoader.getResourceAsStream("application.yml")) {
            if (in == null) {
                throw new IllegalStateException("no application.yml on the class path");
            }
            Map<String, String> flat = new LinkedHashMap<>();
            flatten("", new Yaml().load(in), flat);
            flat.keySet().removeIf(key -> !key.startsWith(prefix + "."));
            return flat;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void flatten(String path, Object value, Map<String, String> into) {
        if (value instanceof Map<?, ?> map) {
            map.forEach((key, child) -> flatten(path.isEmpty() ? key.toString() : path + "." + key, child, into));
            return;
        }
        String text = String.valueOf(value);
        Matcher placeholder = PLACEHOLDER.matcher(text);
        into.put(path, placeholder.matches() ? placeholder.group(1) : text);
    }

    /** The properties of every metadata file on the class path: the module's own and its libraries' (amqp-support's). */
    private static Map<String, JsonNode> metadata(ClassLoader classLoader) {
        try {
            Map<String, JsonNode> properties = new LinkedHashMap<>();
            for (URL url : Collections.list(classLoader.getResources("META-INF/spring-configuration-metadata.json"))) {
                try (InputStream in = url.openStream()) {
                    JsonNode found = JsonMapper.builder().build().readTree(in).get("properties");
                    if (found != null) {
                        found.forEach(property -> properties.put(property.get("name").asString(), property));
                    }
                }
            }
            if (properties.isEmpty()) {
                throw new IllegalStateException("no META-INF/spring-configuration-metadata.json: is "
                        + "spring-boot-configuration-processor a dependency of the module?");
            }
            return properties;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
