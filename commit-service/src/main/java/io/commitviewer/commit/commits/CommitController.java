package io.commitviewer.commit.commits;

import io.commitviewer.commit.config.CommitServiceProperties;
import io.commitviewer.common.git.GitLogParser;
import io.commitviewer.support.Links;
import io.commitviewer.support.ApiDocumentation;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.headers.Header;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping(path = "/api/projects/{id}", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "commits", description = "Every commit of every branch of a project")
// every operation also answers 202 (first fetch pending), 304, 400, 404, 409 (first fetch failed), 503:
// documented once for all of them (CommitServiceConfiguration#apiDocumentation)
class CommitController {

    /** What a stored date can be: the range the log parser clamps commit dates into. */
    static final Instant EARLIEST = GitLogParser.EARLIEST;
    static final Instant LATEST = GitLogParser.LATEST;
    /** Longer than any real name or email (RFC 5321 caps an address at 254). */
    static final int MAX_AUTHOR_LENGTH = 512;
    /** Longer than any branch name git hosts accept (a ref is a path; GitHub caps it at 255 bytes). */
    static final int MAX_BRANCH_LENGTH = 1024;

    private final CommitQueries queries;
    private final CommitServiceProperties.Api api;

    CommitController(CommitQueries queries, CommitServiceProperties properties) {
        this.queries = queries;
        this.api = properties.api();
    }

    @GetMapping("/commits")
    @ApiResponse(responseCode = "200", description = "A page of commits", headers = {
        @Header(name = "Link", ref = ApiDocumentation.HEADERS + "Link"),
        @Header(name = "ETag", ref = ApiDocumentation.HEADERS + "ETag"),
        @Header(name = "Cache-Control", ref = ApiDocumentation.HEADERS + "Cache-Control")})
    @Operation(summary = "Commits, newest first by committer date",
            description = "By cursor (`limit`, `cursor`: the same cost at any depth) or GitHub-style (`page`, `per_page`). "
                    + "`author` matches the author's email or name; `since`/`until` are ISO 8601 instants on the committer date; "
                    + "`branch` lists that branch's history alone (`git log NAME`: every ancestor, not only first parents). "
                    + "202 with Retry-After before the first successful fetch, 409 if it failed.")
    ResponseEntity<CommitResponses.CommitPage> commits(@PathVariable UUID id,
            @RequestParam(required = false) @Min(1) @Max(100) Integer limit, @RequestParam(required = false) String cursor,
            @RequestParam(required = false) @Min(1) Integer page,
            @RequestParam(name = "per_page", required = false) @Min(1) @Max(100) Integer perPage,
            @RequestParam(required = false) String author, @RequestParam(required = false) String since,
            @RequestParam(required = false) String until, @RequestParam(required = false) String branch,
            HttpServletRequest request) {
        Instant from = instant("since", since);
        Instant to = instant("until", until);
        if (from != null && to != null && from.isAfter(to)) {
            throw new InvalidRequestException("invalid-parameter", "since (" + from + ") is after until (" + to + ")");
        }
        if (author != null && author.length() > MAX_AUTHOR_LENGTH) {
            throw new InvalidRequestException("invalid-parameter", "author is longer than " + MAX_AUTHOR_LENGTH + " characters");
        }
        if (branch != null && (branch.isEmpty() || branch.length() > MAX_BRANCH_LENGTH)) {
            throw new InvalidRequestException("invalid-parameter", "branch must be a branch name of 1 to " + MAX_BRANCH_LENGTH + " characters");
        }
        CommitQueries.Filter filter = new CommitQueries.Filter(author == null || author.isBlank() ? null : author, from, to, branch);
        String projectId = id.toString();
        CommitQueries.Page result;
        List<String> links = new ArrayList<>();
        if (page != null || perPage != null) {
            if (cursor != null) {
                throw new InvalidRequestException("validation", "use either cursor or page, not both");
            }
            int size = perPage == null ? api.defaultPageSize() : perPage;
            int number = page == null ? 1 : page;
            result = queries.byPageNumber(projectId, number, size, filter);
            // as GitHub: first and prev where there is a page before, next and last where there is one after
            long lastPage = Math.max(1, (result.totalCount() + size - 1) / size);
            if (number > 1) {
                links.add(Links.header(Links.to(request, api.publicBaseUrl(), "page", 1, "per_page", size), "first"));
                links.add(Links.header(Links.to(request, api.publicBaseUrl(), "page", Math.min(number - 1, lastPage), "per_page", size),
                        "prev"));
            }
            if (result.nextPage().isPresent()) {
                links.add(Links.header(Links.to(request, api.publicBaseUrl(), "page", result.nextPage().get(), "per_page", size),
                        "next"));
            }
            if (number < lastPage && (lastPage - 1) * size <= api.maxPageOffset()) {
                links.add(Links.header(Links.to(request, api.publicBaseUrl(), "page", lastPage, "per_page", size), "last"));
            }
        } else {
            int size = Math.min(limit == null ? api.defaultPageSize() : limit, api.maxPageSize());
            result = queries.byCursor(projectId, cursor == null || cursor.isBlank() ? null : cursor, size, filter);
            if (result.nextCursor().isPresent()) {
                links.add(Links.header(Links.to(request, api.publicBaseUrl(), "cursor", result.nextCursor().get(), "limit", size),
                        "next"));
            }
        }
        List<CommitResponses.Commit> items = result.items().stream().map(CommitResponses.Commit::of).toList();
        ResponseEntity.BodyBuilder response = ResponseEntity.ok();
        if (!links.isEmpty()) {
            response.header(HttpHeaders.LINK, String.join(", ", links));
        }
        return response.body(new CommitResponses.CommitPage(projectId, result.totalCount(), items, result.nextCursor().orElse(null)));
    }

    /** A commit by its sha never changes (whether a project still has it may). */
    static final CacheControl ONE_COMMIT = CacheControl.maxAge(java.time.Duration.ofDays(1)).cachePublic();

    @GetMapping("/commits/{sha}")
    @ApiResponse(responseCode = "200", description = "The commit", headers = {
        @Header(name = "ETag", ref = ApiDocumentation.HEADERS + "ETag"),
        @Header(name = "Cache-Control", ref = ApiDocumentation.HEADERS + "Cache-Control")})
    @Operation(summary = "One commit")
    ResponseEntity<CommitResponses.Commit> commit(@PathVariable UUID id, @PathVariable String sha) {
        return ResponseEntity.ok().cacheControl(ONE_COMMIT).body(CommitResponses.Commit.of(queries.commit(id.toString(), sha)));
    }

    @GetMapping("/branches")
    @ApiResponse(responseCode = "200", description = "The branches, by name", headers = {
        @Header(name = "ETag", ref = ApiDocumentation.HEADERS + "ETag"),
        @Header(name = "Cache-Control", ref = ApiDocumentation.HEADERS + "Cache-Control")})
    @Operation(summary = "Branches, their tips and commit counts at the last fetch",
            description = "`commitCount` is the number of commits of `git log NAME`; absent for a repository with so many long "
                    + "branches that counting them all would cost more than about a second (the branch's listing still has an exact "
                    + "total), and for a branch whose ref points at something other than a commit.")
    List<CommitResponses.Branch> branches(@PathVariable UUID id) {
        return queries.branches(id.toString()).stream().map(CommitResponses.Branch::of).toList();
    }

    /** An ISO 8601 instant within the years 0000-9999 (what a stored date can hold); 400 otherwise. */
    static Instant instant(String name, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        Instant parsed;
        try {
            parsed = Instant.parse(value);
        } catch (DateTimeParseException e) {
            try {
                parsed = OffsetDateTime.parse(value).toInstant();
            } catch (DateTimeParseException again) {
                throw new InvalidRequestException("invalid-parameter", name + " must be an ISO 8601 date-time, e.g. 2024-01-31T00:00:00Z");
            }
        }
        if (parsed.isBefore(EARLIEST) || parsed.isAfter(LATEST)) {
            throw new InvalidRequestException("invalid-parameter", name + " must be between " + EARLIEST + " and " + LATEST);
        }
        return parsed;
    }
}
