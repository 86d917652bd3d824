package io.commitviewer.commit.commits;

import io.commitviewer.commit.config.CommitServiceProperties;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.UUID;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

@RestController
@RequestMapping(path = "/api/projects/{id}", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "commits", description = "Every commit of every branch of a project")
class CommitController {

    private final CommitQueries queries;
    private final CommitServiceProperties.Api api;

    CommitController(CommitQueries queries, CommitServiceProperties properties) {
        this.queries = queries;
        this.api = properties.api();
    }

    @GetMapping("/commits")
    @Operation(summary = "Commits, newest first by committer date",
            description = "By cursor (`limit`, `cursor`: the same cost at any depth) or GitHub-style (`page`, `per_page`). "
                    + "`author` matches the author's email or name; `since`/`until` are ISO 8601 instants on the committer date. "
                    + "202 with Retry-After before the first successful fetch, 409 if it failed.")
    ResponseEntity<CommitResponses.CommitPage> commits(@PathVariable UUID id,
            @RequestParam(required = false) @Min(1) @Max(100) Integer limit, @RequestParam(required = false) String cursor,
            @RequestParam(required = false) @Min(1) Integer page,
            @RequestParam(name = "per_page", required = false) @Min(1) @Max(100) Integer perPage,
            @RequestParam(required = false) String author, @RequestParam(required = false) String since,
            @RequestParam(required = false) String until) {
        CommitQueries.Filter filter = new CommitQueries.Filter(author == null || author.isBlank() ? null : author,
                instant("since", since), instant("until", until));
        String projectId = id.toString();
        CommitQueries.Page result;
        String nextLink = null;
        if (page != null || perPage != null) {
            if (cursor != null) {
                throw new InvalidRequestException("validation", "use either cursor or page, not both");
            }
            int size = perPage == null ? api.defaultPageSize() : perPage;
            int number = page == null ? 1 : page;
            result = queries.byPageNumber(projectId, number, size, filter);
            if (result.nextPage().isPresent()) {
                nextLink = ServletUriComponentsBuilder.fromCurrentRequest().replaceQueryParam("page", result.nextPage().get())
                        .replaceQueryParam("per_page", size).build().toUriString();
            }
        } else {
            int size = Math.min(limit == null ? api.defaultPageSize() : limit, api.maxPageSize());
            result = queries.byCursor(projectId, cursor == null || cursor.isBlank() ? null : cursor, size, filter);
            if (result.nextCursor().isPresent()) {
                nextLink = ServletUriComponentsBuilder.fromCurrentRequest().replaceQueryParam("cursor", result.nextCursor().get())
                        .replaceQueryParam("limit", size).build().toUriString();
            }
        }
        List<CommitResponses.Commit> items = result.items().stream().map(CommitResponses.Commit::of).toList();
        ResponseEntity.BodyBuilder response = ResponseEntity.ok();
        if (nextLink != null) {
            response.header(HttpHeaders.LINK, "<" + nextLink + ">; rel=\"next\"");
        }
        return response.body(new CommitResponses.CommitPage(projectId, result.totalCount(), items, result.nextCursor().orElse(null)));
    }

    @GetMapping("/commits/{sha}")
    @Operation(summary = "One commit")
    CommitResponses.Commit commit(@PathVariable UUID id, @PathVariable String sha) {
        return CommitResponses.Commit.of(queries.commit(id.toString(), sha));
    }

    @GetMapping("/branches")
    @Operation(summary = "Branches and their tips at the last fetch")
    List<CommitResponses.Branch> branches(@PathVariable UUID id) {
        return queries.branches(id.toString()).stream()
                .map(b -> new CommitResponses.Branch(b.getString("name"), b.getString("tip"))).toList();
    }

    private static Instant instant(String name, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            try {
                return java.time.OffsetDateTime.parse(value).toInstant();
            } catch (DateTimeParseException again) {
                throw new InvalidRequestException("invalid-parameter", name + " must be an ISO 8601 date-time, e.g. 2024-01-31T00:00:00Z");
            }
        }
    }
}
