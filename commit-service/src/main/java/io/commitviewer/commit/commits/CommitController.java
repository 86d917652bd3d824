package io.commitviewer.commit.commits;

import io.commitviewer.commit.config.CommitServiceProperties;
import io.commitviewer.common.git.GitLogParser;
import io.commitviewer.common.git.RefNames;
import io.commitviewer.support.Links;
import io.commitviewer.support.ApiDocumentation;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.enums.ParameterIn;
import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Schema;
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
import java.util.stream.Stream;
import org.springframework.http.CacheControl;
import org.springframework.http.ETag;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
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
    /** The longest search text: longer than any real name and email (RFC 5321 caps an address at 254), or phrase a person types. */
    static final int MAX_SEARCH_LENGTH = 512;
    /** Search texts one listing takes at most (all must match). */
    static final int MAX_SEARCHES = 8;
    /** Authors a suggestion lists at most. */
    static final int MAX_SUGGESTIONS = 50;

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
                    + "Which history: every branch's (`git log --branches`, the default); `branch`: that branch's alone (`git log NAME`: "
                    + "every ancestor, not only first parents); `ref`: a branch, a tag or a commit sha, full or short (`git log REF`; a "
                    + "full sha first, then a tag, then a branch — a tag wins over a branch of its name, as in git — then a short sha of 4 "
                    + "to 39 hex digits; `GET …/refs` lists the names); `base` and `head` (both or neither), any two of those: the commits "
                    + "`head` has that `base` has not (`git log BASE..HEAD`), with `aheadBy` and `behindBy`. "
                    + "Narrowed by: `q` (repeatable, all must match): the message contains it (`git log -i -F --grep=Q --all-match`; "
                    + "ASCII letters in either case, as git in the C locale; messages are searched as stored, up to their cap); "
                    + "`author` / `committer`: `Name <email>` contains it (`git log --no-mailmap -i -F --author=A`); "
                    + "`since`/`until`: ISO 8601 instants on the committer date. "
                    + "Searches are at most " + MAX_SEARCH_LENGTH + " characters, " + MAX_SEARCHES + " `q` at most. "
                    + "202 with Retry-After before the first successful fetch — but a first look: while the first fetch runs, the "
                    + "unfiltered listing's first 100 commits, newest first as git lists them, from a shallow clone (`complete: false`, "
                    + "`totalCount` the number known so far, no next page; ADR 0012) — and 409 if it failed; 404 `ref-not-found` names the side "
                    + "(`ref`, `base`, `head`) it cannot find; 409 `ambiguous-sha` lists the commits a short sha could be.")
    @Parameter(name = "q", in = ParameterIn.QUERY, description = "Text the message contains (repeatable: all must match)",
            array = @ArraySchema(schema = @Schema(type = "string", minLength = 1, maxLength = MAX_SEARCH_LENGTH), maxItems = MAX_SEARCHES))
    ResponseEntity<CommitResponses.CommitPage> commits(@PathVariable UUID id,
            @RequestParam(required = false) @Min(1) @Max(100) Integer limit, @RequestParam(required = false) String cursor,
            @RequestParam(required = false) @Min(1) Integer page,
            @RequestParam(name = "per_page", required = false) @Min(1) @Max(100) Integer perPage,
            @RequestParam(required = false) String author, @RequestParam(required = false) String committer,
            @RequestParam(required = false) String since,
            @RequestParam(required = false) String until, @RequestParam(required = false) String branch,
            @RequestParam(required = false) String ref, @RequestParam(required = false) String base,
            @RequestParam(required = false) String head, HttpServletRequest request) {
        Instant from = instant("since", since);
        Instant to = instant("until", until);
        if (from != null && to != null && from.isAfter(to)) {
            throw new InvalidRequestException("invalid-parameter", "since (" + from + ") is after until (" + to + ")");
        }
        if (branch != null && (branch.isEmpty() || branch.length() > RefNames.MAX_LENGTH)) {
            throw new InvalidRequestException("invalid-parameter", "branch must be a branch name of 1 to " + RefNames.MAX_LENGTH + " characters");
        }
        checkRef("ref", ref);
        checkRef("base", base);
        checkRef("head", head);
        if ((base == null) != (head == null)) {
            throw new InvalidRequestException("invalid-parameter", "a comparison takes both base and head");
        }
        if (Stream.of(branch, ref, head).filter(java.util.Objects::nonNull).count() > 1) {
            throw new InvalidRequestException("invalid-parameter", "use one of branch, ref, or base and head");
        }
        if (head != null && head.equals(base)) {
            throw new InvalidRequestException("invalid-parameter", "base and head are the same (" + head + "): there is nothing to compare");
        }
        // read as sent: Spring would split one q at its commas
        String[] sent = request.getParameterValues("q");
        List<String> searches = sent == null ? List.of() : List.of(sent);
        if (searches.size() > MAX_SEARCHES) {
            throw new InvalidRequestException("invalid-parameter", "at most " + MAX_SEARCHES + " q");
        }
        searches.forEach(text -> searchText("q", text, false));
        CommitQueries.Filter filter = new CommitQueries.Filter(searchText("author", author, true), searchText("committer", committer, true),
                searches, from, to, branch, ref, base, head);
        String projectId = id.toString();
        // the page's links are the request's path and query under the public base: nothing else of the request shapes it
        CommitQueries.Revalidation revalidation = new CommitQueries.Revalidation(
                api.publicBaseUrl() + " " + request.getRequestURI() + "?" + request.getQueryString(), tag -> held(request, tag));
        CommitQueries.Page result;
        List<String> links = new ArrayList<>();
        if (page != null || perPage != null) {
            if (cursor != null) {
                throw new InvalidRequestException("validation", "use either cursor or page, not both");
            }
            int size = perPage == null ? api.defaultPageSize() : perPage;
            int number = page == null ? 1 : page;
            result = queries.byPageNumber(projectId, number, size, filter, revalidation);
            if (result.isUnchanged()) {
                return ResponseEntity.status(HttpStatus.NOT_MODIFIED).eTag(result.etag().get()).build();
            }
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
            result = queries.byCursor(projectId, cursor == null || cursor.isBlank() ? null : cursor, size, filter, revalidation);
            if (result.isUnchanged()) {
                return ResponseEntity.status(HttpStatus.NOT_MODIFIED).eTag(result.etag().get()).build();
            }
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
        if (!result.complete()) {
            response.cacheControl(CacheControl.noStore()); // a first look: the exact listing replaces it within seconds
        }
        result.etag().ifPresent(response::eTag); // the generation's tag: the body is not hashed (ConditionalGetFilter)
        return response.body(new CommitResponses.CommitPage(projectId, result.totalCount(), items, result.nextCursor().orElse(null),
                result.comparison().map(CommitQueries.Comparison::aheadBy).orElse(null),
                result.comparison().map(CommitQueries.Comparison::behindBy).orElse(null), result.complete()));
    }

    /** Whether the request's {@code If-None-Match} names the tag (weak comparison, as for any GET: RFC 9110 §13.1.2). */
    static boolean held(HttpServletRequest request, String tag) {
        ETag mine = ETag.create(tag);
        for (java.util.Enumeration<String> values = request.getHeaders(HttpHeaders.IF_NONE_MATCH); values.hasMoreElements();) {
            for (ETag theirs : ETag.parse(values.nextElement())) {
                if (theirs.isWildcard() || theirs.compare(mine, false)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** A commit by its sha never changes (whether a project still has it may). */
    static final CacheControl ONE_COMMIT = CacheControl.maxAge(java.time.Duration.ofDays(1)).cachePublic();

    @GetMapping("/commits/{sha}")
    @ApiResponse(responseCode = "200", description = "The commit", headers = {
        @Header(name = "ETag", ref = ApiDocumentation.HEADERS + "ETag"),
        @Header(name = "Cache-Control", ref = ApiDocumentation.HEADERS + "Cache-Control")})
    @Operation(summary = "One commit, by its sha or a short sha",
            description = "A full sha, or 4 to 39 of its first hex digits when they name one commit of the project's history; "
                    + "409 `ambiguous-sha` with `candidates` when they name more, 404 when none.")
    ResponseEntity<CommitResponses.Commit> commit(@PathVariable UUID id, @PathVariable String sha) {
        io.commitviewer.commit.store.StoredCommit found = queries.commit(id.toString(), sha);
        // a full sha names one commit for ever; a short one may name more once the project has more commits
        CacheControl cache = found.sha().equals(sha) ? ONE_COMMIT : CacheControl.noCache();
        return ResponseEntity.ok().cacheControl(cache).body(CommitResponses.Commit.of(found));
    }

    @GetMapping("/authors")
    @ApiResponse(responseCode = "200", description = "People, most commits first", headers = {
        @Header(name = "ETag", ref = ApiDocumentation.HEADERS + "ETag"),
        @Header(name = "Cache-Control", ref = ApiDocumentation.HEADERS + "Cache-Control")})
    @Operation(summary = "Authors of the project's commits whose name or email starts with a prefix",
            description = "For a filter's suggestions: identities as stored (no mailmap), with the commits stored for each "
                    + "(the branches' after a fetch has settled); `prefix` (ASCII letters in either case, at most " + MAX_SEARCH_LENGTH + " characters; empty: everyone), "
                    + "`limit` 1–" + MAX_SUGGESTIONS + " (10).")
    List<CommitResponses.Author> authors(@PathVariable UUID id, @RequestParam(required = false) String prefix,
            @RequestParam(required = false) @Min(1) @Max(MAX_SUGGESTIONS) Integer limit) {
        String start = prefix == null ? "" : prefix;
        if (!start.isEmpty()) {
            searchText("prefix", start, false);
        }
        return queries.authors(id.toString(), start, limit == null ? 10 : limit).stream().map(CommitResponses.Author::of).toList();
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

    @GetMapping("/refs")
    @ApiResponse(responseCode = "200", description = "The branches and the tags, each by name", headers = {
        @Header(name = "ETag", ref = ApiDocumentation.HEADERS + "ETag"),
        @Header(name = "Cache-Control", ref = ApiDocumentation.HEADERS + "Cache-Control")})
    @Operation(summary = "Branches and tags, their commits and commit counts at the last fetch",
            description = "Every name `ref=` takes besides a sha. A tag's `tip` is its commit (an annotated tag peeled, as "
                    + "`git rev-parse NAME^{}`); tags on a tree or a blob name no history and are skipped, as are tags past the "
                    + "service's limit (50,000 by name): `skippedTags` counts both. `commitCount` is `git rev-list --count NAME`, "
                    + "absent where counting every ref would cost more than about a second (the ref's listing still has an exact "
                    + "total). A tag and a branch of the same name are both listed; `ref=NAME` reads the tag, as git does.")
    CommitResponses.Refs refs(@PathVariable UUID id) {
        return CommitResponses.Refs.of(queries.refs(id.toString()));
    }

    /** A 400 {@code invalid-ref} naming the parameter unless {@code value} is absent or a possible ref name. */
    static void checkRef(String parameter, String value) {
        if (value != null) {
            RefNames.problemWith(value).ifPresent(why -> {
                throw new InvalidRequestException("invalid-ref", parameter + " is not a ref name: " + why);
            });
        }
    }

    /**
     * A search text: 1 to {@link #MAX_SEARCH_LENGTH} characters without control characters; a blank
     * one is no search where {@code blankIsNone} (the author filter's habit), else refused.
     */
    static String searchText(String name, String value, boolean blankIsNone) {
        if (value == null || (blankIsNone && value.isBlank())) {
            return null;
        }
        if (value.isEmpty()) {
            throw new InvalidRequestException("invalid-parameter", name + " is empty: give the text to search for");
        }
        if (value.length() > MAX_SEARCH_LENGTH) {
            throw new InvalidRequestException("invalid-parameter", name + " is longer than " + MAX_SEARCH_LENGTH + " characters");
        }
        if (value.chars().anyMatch(c -> c < 0x20 || c == 0x7F)) {
            throw new InvalidRequestException("invalid-parameter", name + " contains control characters");
        }
        return value;
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
