package io.commitviewer.testsupport;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Walks a project's commits page by page through the commits API, as a client would, and returns the shas in order. */
public final class CommitPages {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private CommitPages() {
    }

    /** {@link #walk(String, String, int)} with pages of 100. */
    public static List<String> walk(String base, String projectId) throws IOException, InterruptedException {
        return walk(base, projectId, 100);
    }

    /**
     * Every sha of {@code GET {base}/api/projects/{id}/commits?limit=N}, following {@code nextCursor};
     * fails if a page does not answer 200.
     */
    public static List<String> walk(String base, String projectId, int limit) throws IOException, InterruptedException {
        return walk(base, projectId, limit, "");
    }

    /** {@link #walk(String, String, int)} of a listing narrowed by {@code query} (e.g. {@code branch=main}, URL-encoded). */
    public static List<String> walk(String base, String projectId, int limit, String query) throws IOException, InterruptedException {
        List<String> shas = new ArrayList<>();
        String cursor = null;
        do {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/projects/" + projectId
                    + "/commits?limit=" + limit + (query.isEmpty() ? "" : "&" + query) + (cursor == null ? "" : "&cursor=" + cursor)))
                    .build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new AssertionError("page after " + shas.size() + " commits answered " + response.statusCode() + ": "
                        + response.body());
            }
            JsonNode page = JSON.readTree(response.body());
            page.get("items").forEach(item -> shas.add(item.get("sha").asString()));
            cursor = page.get("nextCursor").isNull() ? null : page.get("nextCursor").asString();
        } while (cursor != null);
        return shas;
    }
}
