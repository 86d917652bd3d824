package io.commitviewer.commit.commits;

import static org.hamcrest.Matchers.containsString;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.BDDMockito.given;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import io.commitviewer.commit.config.CommitServiceProperties;
import io.commitviewer.commit.project.ProjectState;
import io.commitviewer.commit.store.StoredRef;
import io.commitviewer.commit.store.StoredCommit;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.MockMvc;

@WebMvcTest(CommitController.class)
@EnableConfigurationProperties(CommitServiceProperties.class)
class CommitControllerTests {

    private static final UUID ID = UUID.fromString("3f2b8a4e-1c2d-4e5f-9a0b-1c2d3e4f5a6b");
    private static final String P = ID.toString();
    private static final String SHA = "7fd1a60b01f91b314f59955a4e4d4e80d8edf11d";

    @Autowired
    MockMvc mvc;

    @MockitoBean
    CommitQueries queries;

    private static StoredCommit commit(boolean truncated) {
        StoredCommit.Person who = new StoredCommit.Person("Ada Lovelace", "ada@example.com", "2024-05-01T10:00:00+02:00");
        return new StoredCommit(P + ":" + SHA, SHA, List.of("553c2077f0edc3d5dc5d17262f6aa498e69d6f8e"), who, who,
                OffsetDateTime.parse("2024-05-01T10:00:00+02:00").toInstant(), "Fix parser\n\nBody", truncated,
                truncated ? List.of("message") : List.of(), List.of());
    }

    @Test
    void firstPageByCursorWithTotalAndNextLink() throws Exception {
        given(queries.byCursor(eq(P), eq(null), eq(30), any(), any()))
                .willReturn(new CommitQueries.Page(List.of(commit(false)), 85_356, Optional.of("NEXT"), Optional.empty(), Optional.empty(), true));

        mvc.perform(get("/api/projects/{id}/commits", ID))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.projectId").value(P))
                .andExpect(jsonPath("$.totalCount").value(85_356))
                .andExpect(jsonPath("$.nextCursor").value("NEXT"))
                .andExpect(jsonPath("$.items[0].sha").value(SHA))
                .andExpect(jsonPath("$.items[0].parents[0]").value("553c2077f0edc3d5dc5d17262f6aa498e69d6f8e"))
                .andExpect(jsonPath("$.items[0].author.name").value("Ada Lovelace"))
                .andExpect(jsonPath("$.items[0].author.date").value("2024-05-01T10:00:00+02:00"))
                .andExpect(jsonPath("$.items[0].committer.email").value("ada@example.com"))
                .andExpect(jsonPath("$.items[0].message").value("Fix parser\n\nBody"))
                .andExpect(jsonPath("$.items[0].messageTruncated").doesNotExist())
                .andExpect(header().string("Link", containsString("cursor=NEXT")))
                .andExpect(header().string("Link", containsString("rel=\"next\"")));
    }

    @Test
    void truncatedMessagesSaySo() throws Exception {
        given(queries.byCursor(eq(P), eq(null), eq(30), any(), any()))
                .willReturn(new CommitQueries.Page(List.of(commit(true)), 1, Optional.empty(), Optional.empty(), Optional.empty(), true));
        mvc.perform(get("/api/projects/{id}/commits", ID))
                .andExpect(jsonPath("$.items[0].messageTruncated").value(true))
                .andExpect(header().doesNotExist("Link"));
    }

    @Test
    void passesCursorLimitAndFilters() throws Exception {
        given(queries.byCursor(any(), any(), anyInt(), any(), any())).willReturn(new CommitQueries.Page(List.of(), 0, Optional.empty(), Optional.empty(), Optional.empty(), true));
        mvc.perform(get("/api/projects/{id}/commits", ID).param("cursor", "C1").param("limit", "50")
                        .param("author", "ada@example.com").param("since", "2024-01-01T00:00:00Z").param("until", "2024-06-01T00:00:00+02:00")
                        .param("branch", "feature/x").param("committer", "Grace").param("q", "parser").param("q", "fix"))
                .andExpect(status().isOk());
        verify(queries).byCursor(eq(P), eq("C1"), eq(50), eq(new CommitQueries.Filter("ada@example.com", "Grace", List.of("parser", "fix"),
                Instant.parse("2024-01-01T00:00:00Z"), Instant.parse("2024-05-31T22:00:00Z"), "feature/x", null, null, null)), any());
    }

    @Test
    void aComparisonSaysHowFarAheadAndBehindHeadIs() throws Exception {
        given(queries.byCursor(any(), any(), anyInt(), any(), any())).willReturn(new CommitQueries.Page(List.of(commit(false)), 1,
                Optional.empty(), Optional.empty(), Optional.of(new CommitQueries.Comparison(7, 2)), true));
        mvc.perform(get("/api/projects/{id}/commits", ID).param("base", "v1.0").param("head", "main"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.aheadBy").value(7))
                .andExpect(jsonPath("$.behindBy").value(2));
        verify(queries).byCursor(eq(P), eq(null), eq(30), eq(new CommitQueries.Filter(null, null, List.of(), null, null, null, null, "v1.0", "main")),
                any());
        mvc.perform(get("/api/projects/{id}/commits", ID).param("ref", "main"))
                .andExpect(jsonPath("$.aheadBy").value(7)); // what the queries say; a listing without base and head has none:
        given(queries.byCursor(any(), any(), anyInt(), any(), any())).willReturn(new CommitQueries.Page(List.of(), 0,
                Optional.empty(), Optional.empty(), Optional.empty(), true));
        mvc.perform(get("/api/projects/{id}/commits", ID).param("ref", "main"))
                .andExpect(jsonPath("$.aheadBy").doesNotExist()).andExpect(jsonPath("$.behindBy").doesNotExist())
                .andExpect(jsonPath("$.nextCursor").isEmpty());
    }

    @Test
    void aSearchWithCommasIsOneSearch() throws Exception {
        given(queries.byCursor(any(), any(), anyInt(), any(), any())).willReturn(new CommitQueries.Page(List.of(), 0, Optional.empty(),
                Optional.empty(), Optional.empty(), true));
        mvc.perform(get("/api/projects/{id}/commits", ID).param("q", "parse, then fix")).andExpect(status().isOk());
        verify(queries).byCursor(eq(P), eq(null), eq(30), eq(new CommitQueries.Filter(null, null, List.of("parse, then fix"), null, null, null,
                null, null, null)), any());
    }

    /** Issue 25, bad input: each refused with its own type before any query runs, never a 500. */
    @Test
    void badSearchesAndRefsAreProblemsBeforeAnyQuery() throws Exception {
        String[][] invalidParameter = {{"q", ""}, {"q", "x".repeat(513)}, {"q", "tab\there"}, {"committer", "x".repeat(513)},
            {"author", "nul\u0000"}};
        for (String[] parameter : invalidParameter) {
            mvc.perform(get("/api/projects/{id}/commits", ID).param(parameter[0], parameter[1]))
                    .andExpect(status().isBadRequest()).andExpect(jsonPath("$.type").value("/problems/invalid-parameter"));
        }
        mvc.perform(get("/api/projects/{id}/commits", ID).param("q", "a", "b", "c", "d", "e", "f", "g", "h", "i"))
                .andExpect(status().isBadRequest()).andExpect(jsonPath("$.detail").value(containsString("at most 8")));
        for (String ref : new String[] {"main..dev", "HEAD:README", "-n", "main^", "a b", "x".repeat(1025), "", "refs/heads/", "main@{1}"}) {
            mvc.perform(get("/api/projects/{id}/commits", ID).param("ref", ref))
                    .andExpect(status().isBadRequest()).andExpect(jsonPath("$.type").value("/problems/invalid-ref"))
                    .andExpect(jsonPath("$.detail").value(containsString("ref is not a ref name")));
        }
        mvc.perform(get("/api/projects/{id}/commits", ID).param("base", "main..dev").param("head", "x"))
                .andExpect(status().isBadRequest()).andExpect(jsonPath("$.detail").value(containsString("base is not a ref name")));
        mvc.perform(get("/api/projects/{id}/commits", ID).param("base", "main"))
                .andExpect(status().isBadRequest()).andExpect(jsonPath("$.detail").value(containsString("both base and head")));
        mvc.perform(get("/api/projects/{id}/commits", ID).param("base", "main").param("head", "main"))
                .andExpect(status().isBadRequest()).andExpect(jsonPath("$.detail").value(containsString("nothing to compare")));
        mvc.perform(get("/api/projects/{id}/commits", ID).param("ref", "main").param("branch", "main"))
                .andExpect(status().isBadRequest()).andExpect(jsonPath("$.detail").value(containsString("one of branch, ref")));
        verify(queries, never()).byCursor(any(), any(), anyInt(), any(), any());
    }

    @Test
    void anAmbiguousShortShaIs409WithItsCandidates() throws Exception {
        given(queries.commit(P, "7fd1")).willThrow(new AmbiguousShaException("7fd1", List.of(SHA, "7fd1" + "0".repeat(36)), false));
        mvc.perform(get("/api/projects/{id}/commits/{sha}", ID, "7fd1"))
                .andExpect(status().isConflict()).andExpect(jsonPath("$.type").value("/problems/ambiguous-sha"))
                .andExpect(jsonPath("$.candidates[0]").value(SHA)).andExpect(jsonPath("$.moreCandidates").value(false));
        given(queries.commit(P, "7fd1a6")).willReturn(commit(false));
        mvc.perform(get("/api/projects/{id}/commits/{sha}", ID, "7fd1a6"))
                .andExpect(status().isOk()).andExpect(jsonPath("$.sha").value(SHA))
                .andExpect(header().string("Cache-Control", "no-cache"));
    }

    @Test
    void pageAndPerPageForGitHubStyleClients() throws Exception {
        given(queries.byPageNumber(eq(P), eq(3), eq(100), any(), any()))
                .willReturn(new CommitQueries.Page(List.of(commit(false)), 500, Optional.empty(), Optional.of(4), Optional.empty(), true));
        mvc.perform(get("/api/projects/{id}/commits", ID).param("page", "3").param("per_page", "100"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.nextCursor").isEmpty())
                .andExpect(header().string("Link", "</api/projects/" + ID + "/commits?page=1&per_page=100>; rel=\"first\", "
                        + "</api/projects/" + ID + "/commits?page=2&per_page=100>; rel=\"prev\", "
                        + "</api/projects/" + ID + "/commits?page=4&per_page=100>; rel=\"next\", "
                        + "</api/projects/" + ID + "/commits?page=5&per_page=100>; rel=\"last\""));
    }

    @Test
    void theFirstAndTheLastPageLinkOnlyWhereThereIsAPage() throws Exception {
        given(queries.byPageNumber(eq(P), eq(1), eq(100), any(), any()))
                .willReturn(new CommitQueries.Page(List.of(commit(false)), 150, Optional.empty(), Optional.of(2), Optional.empty(), true));
        given(queries.byPageNumber(eq(P), eq(2), eq(100), any(), any()))
                .willReturn(new CommitQueries.Page(List.of(commit(false)), 150, Optional.empty(), Optional.empty(), Optional.empty(), true));
        mvc.perform(get("/api/projects/{id}/commits", ID).param("page", "1").param("per_page", "100"))
                .andExpect(header().string("Link", "</api/projects/" + ID + "/commits?page=2&per_page=100>; rel=\"next\", "
                        + "</api/projects/" + ID + "/commits?page=2&per_page=100>; rel=\"last\""));
        mvc.perform(get("/api/projects/{id}/commits", ID).param("page", "2").param("per_page", "100"))
                .andExpect(header().string("Link", "</api/projects/" + ID + "/commits?page=1&per_page=100>; rel=\"first\", "
                        + "</api/projects/" + ID + "/commits?page=1&per_page=100>; rel=\"prev\""));
    }

    @Test
    void linksAreRelativeWhateverHostTheClientClaims() throws Exception {
        given(queries.byCursor(any(), any(), anyInt(), any(), any()))
                .willReturn(new CommitQueries.Page(List.of(commit(false)), 500, Optional.of("NEXT"), Optional.empty(), Optional.empty(), true));
        mvc.perform(get(java.net.URI.create("http://attacker.example/api/projects/" + ID + "/commits?author=a%20b"))
                        .header("Host", "attacker.example").header("X-Forwarded-Host", "attacker.example"))
                .andExpect(status().isOk())
                .andExpect(header().string("Link", "</api/projects/" + ID + "/commits?author=a%20b&cursor=NEXT&limit=30>; rel=\"next\""));
    }

    @Test
    void datesOutsideWhatAStoredDateHoldsOrReversedAre400NotA500() throws Exception {
        for (String[] parameters : new String[][] {{"since", "+1000000000-01-01T00:00:00Z"}, {"until", "-0001-12-31T00:00:00Z"},
                {"since", "+10000-01-01T00:00:00Z"}}) {
            mvc.perform(get("/api/projects/{id}/commits", ID).param(parameters[0], parameters[1]))
                    .andExpect(status().isBadRequest()).andExpect(jsonPath("$.type").value("/problems/invalid-parameter"))
                    .andExpect(jsonPath("$.detail").value(containsString("between")));
        }
        mvc.perform(get("/api/projects/{id}/commits", ID).param("since", "2024-02-01T00:00:00Z").param("until", "2024-01-01T00:00:00Z"))
                .andExpect(status().isBadRequest()).andExpect(jsonPath("$.detail").value(containsString("after until")));
        mvc.perform(get("/api/projects/{id}/commits", ID).param("author", "x".repeat(513)))
                .andExpect(status().isBadRequest()).andExpect(jsonPath("$.type").value("/problems/invalid-parameter"));
        verify(queries, never()).byCursor(any(), any(), anyInt(), any(), any());
    }

    @Test
    void badParametersAreProblems() throws Exception {
        mvc.perform(get("/api/projects/{id}/commits", ID).param("limit", "0"))
                .andExpect(status().isBadRequest()).andExpect(jsonPath("$.type").value("/problems/validation"));
        mvc.perform(get("/api/projects/{id}/commits", ID).param("limit", "101"))
                .andExpect(status().isBadRequest()).andExpect(jsonPath("$.type").value("/problems/validation"));
        mvc.perform(get("/api/projects/{id}/commits", ID).param("per_page", "500"))
                .andExpect(status().isBadRequest()).andExpect(jsonPath("$.type").value("/problems/validation"));
        mvc.perform(get("/api/projects/{id}/commits", ID).param("since", "last tuesday"))
                .andExpect(status().isBadRequest()).andExpect(jsonPath("$.type").value("/problems/invalid-parameter"));
        mvc.perform(get("/api/projects/{id}/commits", ID).param("page", "2").param("cursor", "C"))
                .andExpect(status().isBadRequest()).andExpect(jsonPath("$.type").value("/problems/validation"));
        mvc.perform(get("/api/projects/not-a-uuid/commits"))
                .andExpect(status().isBadRequest()).andExpect(jsonPath("$.type").value("/problems/invalid-parameter"));
        mvc.perform(get("/api/projects/{id}/commits", ID).param("branch", "b".repeat(1025)))
                .andExpect(status().isBadRequest()).andExpect(jsonPath("$.type").value("/problems/invalid-parameter"));
        mvc.perform(get("/api/projects/{id}/commits?branch=", ID))
                .andExpect(status().isBadRequest()).andExpect(jsonPath("$.type").value("/problems/invalid-parameter"));
        verify(queries, never()).byCursor(any(), any(), anyInt(), any(), any());
    }

    @Test
    void invalidCursorIsAProblem() throws Exception {
        given(queries.byCursor(any(), eq("bogus"), anyInt(), any(), any()))
                .willThrow(new InvalidRequestException("invalid-cursor", "the cursor is not valid"));
        mvc.perform(get("/api/projects/{id}/commits", ID).param("cursor", "bogus"))
                .andExpect(status().isBadRequest()).andExpect(jsonPath("$.type").value("/problems/invalid-cursor"));
    }

    @Test
    void unknownProjectIs404() throws Exception {
        given(queries.byCursor(any(), any(), anyInt(), any(), any())).willThrow(new NotFoundException("project-not-found", "no project"));
        mvc.perform(get("/api/projects/{id}/commits", ID))
                .andExpect(status().isNotFound()).andExpect(jsonPath("$.type").value("/problems/project-not-found"));
    }

    @Test
    void beforeTheFirstFetchIs202WithRetryAfter() throws Exception {
        given(queries.byCursor(any(), any(), anyInt(), any(), any()))
                .willThrow(new NotReadyException(P, ProjectState.Status.FETCHING, null, "the first fetch is not finished yet", Duration.ofSeconds(5)));
        mvc.perform(get("/api/projects/{id}/commits", ID))
                .andExpect(status().isAccepted())
                .andExpect(header().string("Retry-After", "5"))
                .andExpect(jsonPath("$.projectId").value(P))
                .andExpect(jsonPath("$.status").value("FETCHING"));
    }

    @Test
    void aFailedFirstFetchIs409WithTheReason() throws Exception {
        given(queries.byCursor(any(), any(), anyInt(), any(), any())).willThrow(new NotReadyException(P, ProjectState.Status.FAILED, "ACCESS_DENIED",
                "the first fetch failed: could not read Username", Duration.ofSeconds(5)));
        mvc.perform(get("/api/projects/{id}/commits", ID))
                .andExpect(status().isConflict())
                .andExpect(jsonPath("$.type").value("/problems/fetch-failed"))
                .andExpect(jsonPath("$.reason").value("ACCESS_DENIED"));
    }

    @Test
    void oneCommitAndItsErrors() throws Exception {
        given(queries.commit(P, SHA)).willReturn(commit(false));
        mvc.perform(get("/api/projects/{id}/commits/{sha}", ID, SHA))
                .andExpect(status().isOk()).andExpect(jsonPath("$.sha").value(SHA));
        given(queries.commit(P, "0".repeat(40))).willThrow(new NotFoundException("commit-not-found", "no commit"));
        mvc.perform(get("/api/projects/{id}/commits/{sha}", ID, "0".repeat(40)))
                .andExpect(status().isNotFound()).andExpect(jsonPath("$.type").value("/problems/commit-not-found"));
    }

    @Test
    void branchesWithTheirTipsAndCounts() throws Exception {
        given(queries.branches(P)).willReturn(List.of(new StoredRef("main", SHA, 42L),
                new StoredRef("uncounted", SHA, null)));
        mvc.perform(get("/api/projects/{id}/branches", ID))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$[0].name").value("main"))
                .andExpect(jsonPath("$[0].tip").value(SHA))
                .andExpect(jsonPath("$[0].commitCount").value(42))
                .andExpect(jsonPath("$[1].commitCount").doesNotExist());
    }

    @Test
    void writesAreNotAllowed() throws Exception {
        mvc.perform(post("/api/projects/{id}/commits", ID))
                .andExpect(status().isMethodNotAllowed()).andExpect(jsonPath("$.type").value("/problems/method-not-allowed"));
    }
}
