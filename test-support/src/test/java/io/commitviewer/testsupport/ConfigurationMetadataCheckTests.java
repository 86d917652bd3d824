package io.commitviewer.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigurationMetadataCheckTests {

    @TempDir
    Path classes;

    @Test
    void reportsKeysWithoutMetadataOrDescriptionAndContradictedDefaults() throws Exception {
        Files.writeString(classes.resolve("application.yml"), """
                server:
                  port: 8080
                commitviewer:
                  api:
                    page-size: ${PAGE_SIZE:30}
                    undocumented: 1
                    wrong-default: 5
                  missing: x
                """);
        Files.createDirectories(classes.resolve("META-INF"));
        Files.writeString(classes.resolve("META-INF/spring-configuration-metadata.json"), """
                {"properties": [
                  {"name": "commitviewer.api.page-size", "description": "a page", "defaultValue": 30},
                  {"name": "commitviewer.api.undocumented"},
                  {"name": "commitviewer.api.wrong-default", "description": "d", "defaultValue": 0}
                ]}
                """);
        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()}, null)) {
            assertThat(ConfigurationMetadataCheck.problems(loader, "commitviewer")).containsExactlyInAnyOrder(
                    "commitviewer.api.undocumented: no description (a @param line on the record component)",
                    "commitviewer.api.wrong-default: metadata says the default is 0, application.yml says 5",
                    "commitviewer.missing: no metadata (not bound by a @ConfigurationProperties record?)");
        }
    }
}
