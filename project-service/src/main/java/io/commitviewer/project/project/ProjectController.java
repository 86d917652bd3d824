package io.commitviewer.project.project;

import io.commitviewer.project.access.AccessDocumentation;
import io.commitviewer.project.access.Caller;
import io.commitviewer.project.config.ProjectServiceProperties;
import io.commitviewer.support.Links;
import io.commitviewer.support.ApiDocumentation;
import io.swagger.v3.oas.annotations.Hidden;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.enums.ParameterIn;
import io.swagger.v3.oas.annotations.headers.Header;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
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
    @ApiResponse(responseCode = "200", description = "The stream: events `project` (data: the project as GET shows it, id: a digest "
            + "of it), then `deleted` if the project is deleted", content = @Content(mediaType = MediaType.TEXT_EVENT_STREAM_VALUE,
            schema = @Schema(type = "string", example = "id: 5c1e9a\nevent: project\ndata: {\"id\":\"…\",\"status\":\"FETCHING\",…}\n\n")))
    @ApiResponse(responseCode = "204", description = "Last-Event-ID names the final state already: nothing will follow, stop reconnecting")
    @ApiResponse(responseCode = "400", ref = ApiDocumentation.RESPONSES + "BadRequest")
    @ApiResponse(responseCode = "404", ref = ApiDocumentation.RESPONSES + "NotFound")
    @ApiResponse(responseCode = "503", ref = ApiDocumentation.RESPONSES + "Unavailable")
    @Operation(summary = "The project's status and fetch progress as Server-Sent Events",
            description = "Each event `project` is the project as `GET /api/projects/{id}` shows it, sent when it changed (at most "
                    + "every 250 ms), its id a digest of that state; the stream ends after the event in which no fetch is in "
                    + "progress any more. Reconnect with `Last-Event-ID`: the current state comes at once if it changed since, "
                    + "and 204 if the stream had ended with that very state. A deleted project ends its stream with an event "
                    + "`deleted`. A comment every 15 s keeps proxies from closing an idle stream. One client address holds at "
                    + "most `max-streams-per-client` streams open (429 beyond); a client that stops reading is dropped.")
    ResponseEntity<SseEmitter> events(@PathVariable UUID id,
            @Parameter(description = "The id of the last event received, to resume after a disconnection")
            @RequestHeader(name = "Last-Event-ID", required = false) String lastEventId,
            @Parameter(hidden = true) jakarta.servlet.http.HttpServletRequest request) {
        // the client's address: behind the gateway, the one it forwards (server.forward-headers-strategy)
        SseEmitter emitter = streams.open(id, lastEventId, request.getRemoteAddr());
        if (emitter == null) {
            return ResponseEntity.noContent().build();
        }
        // X-Accel-Buffering: nginx passes each event on as it comes instead of buffering the response
        return ResponseEntity.ok().header("X-Accel-Buffering", "no").cacheControl(CacheControl.noStore()).body(emitter);
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    @SecurityRequirement(name = AccessDocumentation.SCHEME)
    @ApiResponse(responseCode = "202", description = "Added: the project, its first fetch queued", headers = @Header(name = "Location", ref = ApiDocumentation.HEADERS + "Location"))
    @ApiResponse(responseCode = "200", description = "Already there (in this or another spelling): the project", headers = @Header(name = "Location", ref = ApiDocumentation.HEADERS + "Location"))
    @ApiResponse(responseCode = "400", ref = ApiDocumentation.RESPONSES + "BadRequest")
    @ApiResponse(responseCode = "401", ref = ApiDocumentation.RESPONSES + "Unauthorized")
    @ApiResponse(responseCode = "413", ref = ApiDocumentation.RESPONSES + "PayloadTooLarge")
    @ApiResponse(responseCode = "415", ref = ApiDocumentation.RESPONSES + "UnsupportedMediaType")
    @ApiResponse(responseCode = "429", ref = ApiDocumentation.RESPONSES + "QuotaExceeded")
    @ApiResponse(responseCode = "503", ref = ApiDocumentation.RESPONSES + "Unavailable")
    @Operation(summary = "Add a repository", description = "202 with the new project and its first fetch queued; "
            + "200 with the existing project if the repository (in any spelling) is already there.")
    ResponseEntity<ProjectResponse> create(@Valid @RequestBody CreateProjectRequest request, @Parameter(hidden = true) Caller caller) {
        ProjectService.Created result = service.create(request.url(), caller);
        ProjectResponse body = ProjectResponse.of(result.view());
        URI location = URI.create("/api/projects/" + body.id());
        ResponseEntity.BodyBuilder response = (result.created() ? ResponseEntity.accepted() : ResponseEntity.ok()).location(location);
        result.rateLimit().ifPresent(limit -> response.header(RateLimit.POLICY_HEADER, limit.policy()).header(RateLimit.HEADER, limit.state()));
        return response.body(body);
    }

    @GetMapping("/{id}")
    @Operation(summary = "A project: status of its latest fetch, counts of the last successful one")
    @ApiResponse(responseCode = "200", description = "The project", headers = {@Header(name = "ETag", ref = ApiDocumentation.HEADERS + "ETag"), @Header(name = "Cache-Control", ref = ApiDocumentation.HEADERS + "Cache-Control")})
    @ApiResponse(responseCode = "304", ref = ApiDocumentation.RESPONSES + "NotModified")
    @ApiResponse(responseCode = "400", ref = ApiDocumentation.RESPONSES + "BadRequest")
    @ApiResponse(responseCode = "404", ref = ApiDocumentation.RESPONSES + "NotFound")
    ProjectResponse get(@PathVariable UUID id) {
        return ProjectResponse.of(service.get(id));
    }

    /** {@code GET /api/projects?url=…}, documented with {@link #list} (one path and method, one operation). */
    @GetMapping(params = "url")
    @Hidden
    ResponseEntity<ProjectResponse> find(@RequestParam String url) {
        ProjectResponse body = ProjectResponse.of(service.find(url));
        return ResponseEntity.ok().header(HttpHeaders.CONTENT_LOCATION, "/api/projects/" + body.id()).body(body);
    }

    @GetMapping
    @Operation(summary = "Projects, newest first, by cursor; or, with `url`, the project of that repository",
            description = "With `url` (any spelling the policy accepts): 200 with that project (`Content-Location`: its address), 404 "
                    + "if the repository was never added, 400 with the same reasons as POST for a refused URL. Without: a page of "
                    + "projects, `Link` to the next one.")
    @Parameter(name = "url", in = ParameterIn.QUERY, schema = @Schema(type = "string"),
            description = "A repository URL in any accepted spelling: answers its project instead of a page")
    @ApiResponse(responseCode = "200", description = "A page of projects (`ProjectPageResponse`), or with `url` the project "
            + "(`ProjectResponse`)", headers = {@Header(name = "Link", ref = ApiDocumentation.HEADERS + "Link"), @Header(name = "Content-Location", ref = ApiDocumentation.HEADERS + "Content-Location"), @Header(name = "ETag", ref = ApiDocumentation.HEADERS + "ETag"), @Header(name = "Cache-Control", ref = ApiDocumentation.HEADERS + "Cache-Control")},
            content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE, schema = @Schema(oneOf = {ProjectPageResponse.class,
                ProjectResponse.class})))
    @ApiResponse(responseCode = "304", ref = ApiDocumentation.RESPONSES + "NotModified")
    @ApiResponse(responseCode = "400", ref = ApiDocumentation.RESPONSES + "BadRequest")
    @ApiResponse(responseCode = "404", ref = ApiDocumentation.RESPONSES + "NotFound")
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
    @SecurityRequirement(name = AccessDocumentation.SCHEME)
    @ApiResponse(responseCode = "202", description = "A fetch is queued, or the one queued or running already", headers = @Header(name = "Location", ref = ApiDocumentation.HEADERS + "Location"))
    @ApiResponse(responseCode = "200", description = "The last fetch ended less than the minimum refresh interval ago: nothing queued",
            headers = @Header(name = "Retry-After", ref = ApiDocumentation.HEADERS + "Retry-After"))
    @ApiResponse(responseCode = "400", ref = ApiDocumentation.RESPONSES + "BadRequest")
    @ApiResponse(responseCode = "401", ref = ApiDocumentation.RESPONSES + "Unauthorized")
    @ApiResponse(responseCode = "404", ref = ApiDocumentation.RESPONSES + "NotFound")
    @ApiResponse(responseCode = "429", ref = ApiDocumentation.RESPONSES + "QuotaExceeded")
    @ApiResponse(responseCode = "503", ref = ApiDocumentation.RESPONSES + "Unavailable")
    @Operation(summary = "Fetch again", description = "202 with the queued fetch; if one is already queued or running, "
            + "202 with that one and nothing new is enqueued; if the last fetch ended less than the minimum refresh interval "
            + "ago, 200 with the project as it is and Retry-After.")
    ResponseEntity<ProjectResponse> refresh(@PathVariable UUID id, @Parameter(hidden = true) Caller caller) {
        ProjectService.Refreshed refreshed = service.refresh(id, caller);
        if (refreshed.outcome() == ProjectService.RefreshOutcome.RECENT) {
            return ResponseEntity.ok().header(HttpHeaders.RETRY_AFTER, Long.toString(Math.max(1, refreshed.retryAfter().toSeconds() + 1)))
                    .body(ProjectResponse.of(refreshed.view()));
        }
        ResponseEntity.BodyBuilder accepted = ResponseEntity.accepted().location(URI.create("/api/projects/" + id));
        refreshed.rateLimit().ifPresent(limit -> accepted.header(RateLimit.POLICY_HEADER, limit.policy())
                .header(RateLimit.HEADER, limit.state()));
        return accepted.body(ProjectResponse.of(refreshed.view()));
    }

    @DeleteMapping("/{id}")
    @Operation(summary = "Delete a project and its commits")
    @SecurityRequirement(name = AccessDocumentation.SCHEME)
    @ApiResponse(responseCode = "204", description = "Deleted; its commits, branches and mirror follow")
    @ApiResponse(responseCode = "400", ref = ApiDocumentation.RESPONSES + "BadRequest")
    @ApiResponse(responseCode = "401", ref = ApiDocumentation.RESPONSES + "Unauthorized")
    @ApiResponse(responseCode = "403", ref = ApiDocumentation.RESPONSES + "Forbidden")
    @ApiResponse(responseCode = "404", ref = ApiDocumentation.RESPONSES + "NotFound")
    ResponseEntity<Void> delete(@PathVariable UUID id, @Parameter(hidden = true) Caller caller) {
        service.delete(id, caller);
        return ResponseEntity.noContent().build();
    }
}
