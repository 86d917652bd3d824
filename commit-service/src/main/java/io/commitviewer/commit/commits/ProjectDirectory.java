package io.commitviewer.commit.commits;

import io.commitviewer.commit.project.ProjectState;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * Asks project-service whether a project exists, for a read of a project this store does not
 * hold (ADR 0006): its first fetch, or its recovery after the store lost it, is on its way, and the
 * read answers 202 instead of 404. Answers are kept for a few seconds (at most
 * {@value #MAX_ENTRIES}), so that polling clients do not each cost a call.
 */
public class ProjectDirectory {

    private static final int MAX_ENTRIES = 4096;

    /** What project-service says of a project: its status, why, and the reason of its last failure. */
    public record KnownProject(ProjectState.Status status, String statusReason, boolean everFetched, String failureReason,
            String failureMessage) {
    }

    /** project-service did not answer: the read cannot say whether the project exists. */
    public static class UnavailableException extends RuntimeException {
        UnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private record Entry(Optional<KnownProject> answer, long expiresAt) {
    }

    /** The part of project-service's answer ({@code GET /api/projects/{id}}) read here. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record ProjectServiceView(String status, String statusReason, String lastFetchedAt, Error lastError) {
        @JsonIgnoreProperties(ignoreUnknown = true)
        record Error(String reason, String message) {
        }
    }

    private final URI base;
    private final Duration timeout;
    private final long ttlNanos;
    private final HttpClient http;
    private final JsonMapper json = JsonMapper.builder().build();
    private final Map<String, Entry> cache = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
            return size() > MAX_ENTRIES;
        }
    };

    /** @param baseUrl project-service's API; blank: never asked, every unknown project is unknown */
    public ProjectDirectory(String baseUrl, Duration timeout, Duration cacheTtl) {
        this.base = baseUrl == null || baseUrl.isBlank() ? null : URI.create(baseUrl.endsWith("/") ? baseUrl : baseUrl + "/");
        this.timeout = timeout;
        this.ttlNanos = cacheTtl.toNanos();
        this.http = base == null ? null : HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    /** The project as project-service knows it, or empty if it does not (or is not asked). */
    public Optional<KnownProject> find(String projectId) {
        if (base == null) {
            return Optional.empty();
        }
        long now = System.nanoTime();
        synchronized (cache) {
            Entry entry = cache.get(projectId);
            if (entry != null && entry.expiresAt() - now > 0) {
                return entry.answer();
            }
        }
        Optional<KnownProject> answer = ask(projectId);
        synchronized (cache) {
            cache.put(projectId, new Entry(answer, now + ttlNanos));
        }
        return answer;
    }

    private Optional<KnownProject> ask(String projectId) {
        HttpRequest request = HttpRequest.newBuilder(base.resolve("api/projects/" + projectId)).timeout(timeout)
                .header("Accept", "application/json").GET().build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 404) {
                return Optional.empty();
            }
            if (response.statusCode() != 200) {
                throw new UnavailableException("project-service answered " + response.statusCode(), null);
            }
            ProjectServiceView project = json.readValue(response.body(), ProjectServiceView.class);
            return Optional.of(new KnownProject(status(project.status()), project.statusReason(), project.lastFetchedAt() != null,
                    project.lastError() == null ? null : project.lastError().reason(),
                    project.lastError() == null ? null : project.lastError().message()));
        } catch (IOException | JacksonException e) {
            throw new UnavailableException("project-service did not answer: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnavailableException("interrupted while asking project-service", e);
        }
    }

    /** project-service's status; one this version does not know counts as queued. */
    private static ProjectState.Status status(String value) {
        for (ProjectState.Status status : ProjectState.Status.values()) {
            if (status.name().equals(value)) {
                return status;
            }
        }
        return ProjectState.Status.QUEUED;
    }

}
