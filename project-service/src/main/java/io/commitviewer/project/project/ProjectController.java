package io.commitviewer.project.project;

import io.commitviewer.project.access.Caller;
import io.commitviewer.project.config.ProjectServiceProperties;
import io.commitviewer.support.Links;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.net.URI;
import java.util.UUID;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

@RestController
@RequestMapping(path = "/api/projects", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "projects", description = "Repositories whose commits are kept")
class ProjectController {

    private final ProjectService service;
    private final ProjectEventStreams streams;
    private final ProjectServiceProperties.Api api;

    ProjectController(ProjectService service, ProjectEventStreams streams, ProjectServiceProperties properties) {
        this.service = service;
        this.streams = streams;
        this.api = properties.api();
    }

    @GetMapping(path = "/{id}/events", produces = {MediaType.TEXT_EVENT_STREAM_VALUE, MediaType.APPLICATION_JSON_VALUE})
    @Operation(summary = "The project's status and fetch progress as Server-Sent Events",
            description = "Each event `project` is the project as `GET /api/projects/{id}` shows it, sent when it changed (at most "
                    + "every 250 ms), its id a digest of that state; the stream ends after the event in which no fetch is in "
                    + "progress any more. Reconnect with `Last-Event-ID`: the current state comes at once if it changed since, "
                    + "and 204 if the stream had ended with that very state. A deleted project ends its stream with an event "
                    + "`deleted`. A comment every 15 s keeps proxies from closing an idle stream.")
    ResponseEntity<SseEmitter> events(@PathVariable UUID id,
            @RequestHeader(name = "Last-Event-ID", required = false) String lastEventId) {
        SseEmitter emitter = streams.open(id, lastEventId);
        if (emitter == null) {
            return ResponseEntity.noContent().build();
        }
        // X-Accel-Buffering: nginx passes each event on as it comes instead of buffering the response
        return ResponseEntity.ok().header("X-Accel-Buffering", "no").cacheControl(CacheControl.noStore()).body(emitter);
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Add a repository", description = "202 with the new project and its first fetch queued; "
            + "200 with the existing project if the repository (in any spelling) is already there.")
    ResponseEntity<ProjectResponse> create(@Valid @RequestBody CreateProjectRequest request, Caller caller) {
        ProjectService.Created result = service.create(request.url(), caller);
        ProjectResponse body = ProjectResponse.of(result.view());
        URI location = URI.create("/api/projects/" + body.id());
        return (result.created() ? ResponseEntity.accepted() : ResponseEntity.ok()).location(location).body(body);
    }

    @GetMapping("/{id}")
    @Operation(summary = "A project: status of its latest fetch, counts of the last successful one")
    ProjectResponse get(@PathVariable UUID id) {
        return ProjectResponse.of(service.get(id));
    }

    @GetMapping(params = "url")
    @Operation(summary = "The project of a repository, by its URL in any spelling",
            description = "200 with the project (Content-Location: its address), 404 if the repository was never added, "
                    + "400 with the same reasons as POST for a URL the policy refuses.")
    ResponseEntity<ProjectResponse> find(@RequestParam String url) {
        ProjectResponse body = ProjectResponse.of(service.find(url));
        return ResponseEntity.ok().header(HttpHeaders.CONTENT_LOCATION, "/api/projects/" + body.id()).body(body);
    }

    @GetMapping
    @Operation(summary = "Projects, newest first, by cursor")
    ResponseEntity<ProjectPageResponse> list(@RequestParam(required = false) @Min(1) @Max(1000) Integer limit,
            @RequestParam(required = false) String cursor, HttpServletRequest request) {
        int size = Math.min(limit == null ? api.defaultPageSize() : limit, api.maxPageSize());
        ProjectService.Page page = service.list(size, cursor == null || cursor.isBlank() ? null : PageCursor.decode(cursor));
        String next = page.next().map(PageCursor::encode).orElse(null);
        ResponseEntity.BodyBuilder response = ResponseEntity.ok();
        if (next != null) {
            String link = Links.to(request, api.publicBaseUrl(), "cursor", next, "limit", size);
            response.header(HttpHeaders.LINK, Links.header(link, "next"));
        }
        return response.body(new ProjectPageResponse(page.items().stream().map(ProjectResponse::of).toList(), next));
    }

    @PostMapping("/{id}/refresh")
    @Operation(summary = "Fetch again", description = "202 with the queued fetch; if one is already queued or running, "
            + "202 with that one and nothing new is enqueued; if the last fetch ended less than the minimum refresh interval "
            + "ago, 200 with the project as it is and Retry-After.")
    ResponseEntity<ProjectResponse> refresh(@PathVariable UUID id, Caller caller) {
        ProjectService.Refreshed refreshed = service.refresh(id, caller);
        if (refreshed.outcome() == ProjectService.RefreshOutcome.RECENT) {
            return ResponseEntity.ok().header(HttpHeaders.RETRY_AFTER, Long.toString(Math.max(1, refreshed.retryAfter().toSeconds() + 1)))
                    .body(ProjectResponse.of(refreshed.view()));
        }
        return ResponseEntity.accepted().location(URI.create("/api/projects/" + id)).body(ProjectResponse.of(refreshed.view()));
    }

    @DeleteMapping("/{id}")
    @Operation(summary = "Delete a project and its commits")
    ResponseEntity<Void> delete(@PathVariable UUID id, Caller caller) {
        service.delete(id, caller);
        return ResponseEntity.noContent().build();
    }
}
