package io.commitviewer.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The services' OpenAPI documents live in {@code docs/openapi/}, where scripts/check-ops.sh lints
 * them and the contract tests ({@link ApiContract}) read them. A service's integration test
 * checks that the document it serves is the committed one (its build version aside), so neither
 * can change without the other; {@code -Dcommitviewer.openapi.write=true} writes the served one
 * instead, to be reviewed and committed.
 */
public final class OpenApiDocuments {

    public static final String WRITE = "commitviewer.openapi.write";
    private static final JsonMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    private OpenApiDocuments() {
    }

    /** Problems with the served document (empty if it is the committed one, or was just written there). */
    public static List<String> compare(String served, Path committed) throws IOException {
        JsonNode document = withoutVersion(JSON.readTree(served));
        if (Boolean.getBoolean(WRITE)) {
            Files.createDirectories(committed.getParent());
            Files.writeString(committed, JSON.writeValueAsString(document) + "\n");
            return List.of();
        }
        if (!Files.isRegularFile(committed)) {
            return List.of(committed + " is missing: write it with -D" + WRITE + "=true and commit it");
        }
        JsonNode expected = withoutVersion(JSON.readTree(Files.readString(committed)));
        if (!expected.equals(document)) {
            return List.of("the served OpenAPI document differs from " + committed + ": change both (-D" + WRITE
                    + "=true writes the served one), then review the diff");
        }
        return List.of();
    }

    private static JsonNode withoutVersion(JsonNode document) {
        if (document.get("info") instanceof ObjectNode info) {
            info.put("version", "(the build's)");
        }
        return document;
    }
}
