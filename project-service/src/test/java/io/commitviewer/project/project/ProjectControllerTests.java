package io.commitviewer.project.project;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.BDDMockito.given;
import static org.mockito.BDDMockito.willThrow;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import io.commitviewer.common.git.FailureReason;
import io.commitviewer.common.url.RepositoryUrlPolicy;
import io.commitviewer.project.config.ProjectServiceProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import io.commitviewer.project.access.AccessConfiguration;
import org.junit.jupiter.api.Test;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.springframework.context.annotation.Import;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.http.MediaType;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.MockMvc;

@WebMvcTest(ProjectController.class)
@EnableConfigurationProperties(ProjectServiceProperties.class)
@Import({AccessConfiguration.class, SimpleMeterRegistry.class})
class ProjectControllerTests {

    private static final UUID ID = UUID.fromString("3f2b8a4e-1c2d-4e5f-9a0b-1c2d3e4f5a6b");
    private static final UUID FETCH = UUID.fromString("9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d");
    private static final Instant NOW = Instant.parse("2026-11-28T10:15:30.123456Z");

    @Autowired
    MockMvc mvc;

    @MockitoBean
    ProjectService service;

    @MockitoBean
    ProjectEventStreams streams;

    private static ProjectService.ProjectView view() {
        Project project = new Project(ID, "https://github.com/octocat/Hello-World", "https://github.com/octocat/hello-world",
                "octocat", "Hello-World", FETCH, NOW, null);
        return new ProjectService.ProjectView(project, new Fetch(FETCH, ID, NOW, FetchReason.CREATED));
    }

    private static String body(String url) {
        return "{\"url\":\"" + url + "\"}";
    }

    @Test
    void createsAProjectWith202LocationAndBody() throws Exception {
        given(service.create(eq("https://github.com/octocat/Hello-World"), any())).willReturn(new ProjectService.Created(view(), true, java.util.Optional.empty()));

        mvc.perform(post("/api/projects").contentType(MediaType.APPLICATION_JSON).content(body("https://github.com/octocat/Hello-World")))
                .andExpect(status().isAccepted())
                .andExpect(header().string("Location", "/api/projects/" + ID))
                .andExpect(jsonPath("$.id").value(ID.toString()))
                .andExpect(jsonPath("$.url").value("https://github.com/octocat/Hello-World"))
                .andExpect(jsonPath("$.owner").value("octocat"))
                .andExpect(jsonPath("$.name").value("Hello-World"))
                .andExpect(jsonPath("$.status").value("QUEUED"))
                .andExpect(jsonPath("$.commitCount").isEmpty())
                .andExpect(jsonPath("$.lastError").isEmpty())
                .andExpect(jsonPath("$.fetch.id").value(FETCH.toString()))
                .andExpect(jsonPath("$.fetch.status").value("QUEUED"))
                .andExpect(jsonPath("$.createdAt").value("2026-11-28T10:15:30.123456Z"));
    }

    @Test
    void returnsTheExistingProjectWith200() throws Exception {
        given(service.create(any(), any())).willReturn(new ProjectService.Created(view(), false, java.util.Optional.empty()));

        mvc.perform(post("/api/projects").contentType(MediaType.APPLICATION_JSON).content(body("git@github.com:octocat/hello-world.git")))
                .andExpect(status().isOk())
                .andExpect(header().string("Location", "/api/projects/" + ID))
                .andExpect(jsonPath("$.id").value(ID.toString()));
    }

    @Test
    void invalidUrlIsAProblemNamingTheReason() throws Exception {
        given(service.create(any(), any())).willAnswer(call -> RepositoryUrlPolicy.githubOnly().parse(call.getArgument(0)));

        mvc.perform(post("/api/projects").contentType(MediaType.APPLICATION_JSON).content(body("https://gitlab.com/a/b")))
                .andExpect(status().isBadRequest())
                .andExpect(header().string("Content-Type", "application/problem+json"))
                .andExpect(jsonPath("$.type").value("/problems/invalid-url"))
                .andExpect(jsonPath("$.reason").value("host-not-allowed"))
                .andExpect(jsonPath("$.detail").value("host not allowed: gitlab.com"));

        mvc.perform(post("/api/projects").contentType(MediaType.APPLICATION_JSON).content(body("https://token@github.com/a/b")))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.reason").value("credentials-in-url"))
                .andExpect(jsonPath("$.detail").value("credentials in URL are not allowed"));
    }

    @Test
    void missingUrlIsAValidationProblem() throws Exception {
        mvc.perform(post("/api/projects").contentType(MediaType.APPLICATION_JSON).content("{}"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.type").value("/problems/validation"))
                .andExpect(jsonPath("$.errors[0].field").value("url"));
        verify(service, never()).create(any(), any());
    }

    @Test
    void malformedJsonIsAProblem() throws Exception {
        mvc.perform(post("/api/projects").contentType(MediaType.APPLICATION_JSON).content("{\"url\": "))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.type").value("/problems/malformed-request"));
    }

    @Test
    void wrongContentTypeIsAProblem() throws Exception {
        mvc.perform(post("/api/projects").contentType(MediaType.TEXT_PLAIN).content("https://github.com/a/b"))
                .andExpect(status().isUnsupportedMediaType())
                .andExpect(jsonPath("$.type").value("/problems/unsupported-media-type"));
    }

    @Test
    void bodyOverTheLimitIsRefusedBeforeItIsRead() throws Exception {
        mvc.perform(post("/api/projects").contentType(MediaType.APPLICATION_JSON).content(body("https://github.com/a/" + "b".repeat(5000))))
                .andExpect(status().isContentTooLarge())
                .andExpect(jsonPath("$.type").value("/problems/payload-too-large"));
        verify(service, never()).create(any(), any());
    }

    @Test
    void getsAProject() throws Exception {
        given(service.get(ID)).willReturn(view());
        mvc.perform(get("/api/projects/{id}", ID))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.id").value(ID.toString()))
                .andExpect(jsonPath("$.status").value("QUEUED"));
    }

    @Test
    void unknownProjectIsNotFound() throws Exception {
        given(service.get(ID)).willThrow(new ProjectNotFoundException(ID));
        mvc.perform(get("/api/projects/{id}", ID))
                .andExpect(status().isNotFound())
                .andExpect(jsonPath("$.type").value("/problems/project-not-found"));
    }

    @Test
    void idThatIsNotAUuidIsAProblem() throws Exception {
        mvc.perform(get("/api/projects/not-a-uuid"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.type").value("/problems/invalid-parameter"));
    }

    @Test
    void listsWithACursorAndANextLink() throws Exception {
        PageCursor next = PageCursor.of(NOW, ID);
        given(service.list(eq(2), eq(null))).willReturn(new ProjectService.Page(List.of(view(), view()), Optional.of(next)));

        mvc.perform(get("/api/projects").param("limit", "2"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.items.length()").value(2))
                .andExpect(jsonPath("$.nextCursor").value(next.encode()))
                .andExpect(header().string("Link", containsString("cursor=" + next.encode())))
                .andExpect(header().string("Link", containsString("rel=\"next\"")));
    }

    @Test
    void lastPageHasNoNextLink() throws Exception {
        given(service.list(eq(30), any())).willReturn(new ProjectService.Page(List.of(view()), Optional.empty()));
        mvc.perform(get("/api/projects").param("cursor", PageCursor.of(NOW, ID).encode()))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.nextCursor").isEmpty())
                .andExpect(header().doesNotExist("Link"));
        verify(service).list(30, PageCursor.of(NOW, ID));
    }

    @Test
    void pageSizeIsCappedAtTheMaximum() throws Exception {
        given(service.list(anyInt(), any())).willReturn(new ProjectService.Page(List.of(), Optional.empty()));
        mvc.perform(get("/api/projects").param("limit", "1000")).andExpect(status().isOk());
        verify(service).list(100, null);
    }

    @Test
    void invalidCursorOrLimitIsAProblem() throws Exception {
        mvc.perform(get("/api/projects").param("cursor", "not-a-cursor"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.type").value("/problems/invalid-cursor"));
        mvc.perform(get("/api/projects").param("limit", "0"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.type").value("/problems/validation"));
        mvc.perform(get("/api/projects").param("limit", "many"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.type").value("/problems/invalid-parameter"));
    }

    @Test
    void refreshAnswers202WithTheFetch() throws Exception {
        given(service.refresh(eq(ID), any())).willReturn(new ProjectService.Refreshed(view(), ProjectService.RefreshOutcome.QUEUED, null,
                java.util.Optional.empty()));
        mvc.perform(post("/api/projects/{id}/refresh", ID))
                .andExpect(status().isAccepted())
                .andExpect(jsonPath("$.fetch.id").value(FETCH.toString()))
                .andExpect(header().doesNotExist("RateLimit"));
    }

    /** Issue 24, finding 5: a key's refresh says where the key stands on its hourly quota (IETF RateLimit fields). */
    @Test
    void aKeysRefreshSaysWhatIsLeftOfItsHourlyQuota() throws Exception {
        given(service.refresh(eq(ID), any())).willReturn(new ProjectService.Refreshed(view(), ProjectService.RefreshOutcome.QUEUED, null,
                java.util.Optional.of(new RateLimit("refreshes-per-key-per-hour", 20, java.time.Duration.ofHours(1), 17,
                        java.time.Duration.ofSeconds(2399, 1)))));
        mvc.perform(post("/api/projects/{id}/refresh", ID))
                .andExpect(status().isAccepted())
                .andExpect(header().string("RateLimit-Policy", "\"refreshes-per-key-per-hour\";q=20;w=3600"))
                .andExpect(header().string("RateLimit", "\"refreshes-per-key-per-hour\";r=17;t=2400"));
    }

    @Test
    void aKeyOverItsQuotaGets429WithItsRateLimitFields() throws Exception {
        given(service.refresh(eq(ID), any())).willThrow(new LimitExceededException(LimitExceededException.Scope.KEY_QUOTA,
                "refreshes-per-key-per-hour", 20, java.time.Duration.ofHours(1), java.time.Duration.ofSeconds(1800), "over"));
        mvc.perform(post("/api/projects/{id}/refresh", ID))
                .andExpect(status().isTooManyRequests())
                .andExpect(header().string("Retry-After", "1800"))
                .andExpect(header().string("RateLimit-Policy", "\"refreshes-per-key-per-hour\";q=20;w=3600"))
                .andExpect(header().string("RateLimit", "\"refreshes-per-key-per-hour\";r=0;t=1800"));
    }

    @Test
    void refreshOfAnUnknownProjectIsNotFound() throws Exception {
        given(service.refresh(eq(ID), any())).willThrow(new ProjectNotFoundException(ID));
        mvc.perform(post("/api/projects/{id}/refresh", ID))
                .andExpect(status().isNotFound())
                .andExpect(jsonPath("$.type").value("/problems/project-not-found"));
    }

    @Test
    void deletesWith204() throws Exception {
        mvc.perform(delete("/api/projects/{id}", ID)).andExpect(status().isNoContent());
        verify(service).delete(eq(ID), any());
    }

    @Test
    void deleteOfAnUnknownProjectIsNotFound() throws Exception {
        willThrow(new ProjectNotFoundException(ID)).given(service).delete(eq(ID), any());
        mvc.perform(delete("/api/projects/{id}", ID))
                .andExpect(status().isNotFound())
                .andExpect(jsonPath("$.type").value("/problems/project-not-found"));
    }

    @Test
    void unsupportedMethodIsAProblem() throws Exception {
        mvc.perform(put("/api/projects/{id}", ID).contentType(MediaType.APPLICATION_JSON).content("{}"))
                .andExpect(status().isMethodNotAllowed())
                .andExpect(jsonPath("$.type").value("/problems/method-not-allowed"));
    }

    @Test
    void unexpectedErrorsAreA500WithoutInternals() throws Exception {
        given(service.get(ID)).willThrow(new IllegalStateException("database password is hunter2"));
        mvc.perform(get("/api/projects/{id}", ID))
                .andExpect(status().isInternalServerError())
                .andExpect(jsonPath("$.type").value("/problems/internal"))
                .andExpect(jsonPath("$.detail").value(not(containsString("hunter2"))));
    }

    @Test
    void failedProjectShowsTheLastError() throws Exception {
        ProjectService.ProjectView view = view();
        Fetch fetch = view.fetch();
        fetch.fail(NOW.plusSeconds(1), FailureReason.REPOSITORY_NOT_FOUND, "repository not found");
        view.project().follow(fetch, NOW.plusSeconds(1));
        given(service.get(ID)).willReturn(view);

        mvc.perform(get("/api/projects/{id}", ID))
                .andExpect(jsonPath("$.status").value("FAILED"))
                .andExpect(jsonPath("$.lastError.reason").value("REPOSITORY_NOT_FOUND"))
                .andExpect(jsonPath("$.lastError.message").value("repository not found"));
    }
}
