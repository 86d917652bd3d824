package io.commitviewer.project.access;

import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import io.commitviewer.project.config.ProjectServiceProperties;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/** With keys configured: reads stay open, writes take a known key, refusals are problems with WWW-Authenticate. */
@WebMvcTest(controllers = ApiKeyFilterTests.Controller.class)
@EnableConfigurationProperties(ProjectServiceProperties.class)
@Import({AccessConfiguration.class, ApiKeyFilterTests.Controller.class, SimpleMeterRegistry.class})
@TestPropertySource(properties = "commitviewer.access.keys=" + ApiKeyFilterTests.CI_ENTRY)
class ApiKeyFilterTests {

    static final String CI_TOKEN = "cv_test-token-of-the-ci-key-0123456789abcdefgh";
    static final String CI_ENTRY = "ci:decd43e1277dc10fb1a1dde3dac5292a7c9fec831d360beeb12a7e1c6b82ac96";

    @Autowired
    MockMvc mvc;

    @Autowired
    Controller controller;

    /** The projects API's paths, remembering the callers of the writes. */
    @RestController
    static class Controller {
        final List<Caller> callers = new CopyOnWriteArrayList<>();

        @GetMapping("/api/projects/{id}")
        String get(@PathVariable UUID id) {
            return "{}";
        }

        @PostMapping("/api/projects")
        String create(Caller caller) {
            callers.add(caller);
            return "{}";
        }

        @PostMapping("/api/projects/{id}/refresh")
        String refresh(@PathVariable UUID id, Caller caller) {
            callers.add(caller);
            return "{}";
        }

        @DeleteMapping("/api/projects/{id}")
        String delete(@PathVariable UUID id, Caller caller) {
            callers.add(caller);
            return "{}";
        }
    }

    @Test
    void theEntryOfTheTestTokenIsItsHash() {
        org.assertj.core.api.Assertions.assertThat(CI_ENTRY).isEqualTo("ci:" + ApiKeys.hash(CI_TOKEN));
    }

    @Test
    void readsNeedNoKey() throws Exception {
        mvc.perform(get("/api/projects/{id}", UUID.randomUUID())).andExpect(status().isOk());
    }

    @Test
    void aWriteWithoutAKeyIs401WithAProblemAndWwwAuthenticate() throws Exception {
        mvc.perform(post("/api/projects").contentType(MediaType.APPLICATION_JSON).content("{\"url\":\"https://github.com/a/b\"}"))
                .andExpect(status().isUnauthorized())
                .andExpect(header().string("WWW-Authenticate", "Bearer realm=\"commit-viewer\""))
                .andExpect(header().string("Content-Type", "application/problem+json"))
                .andExpect(jsonPath("$.type").value("/problems/unauthorized"));
        mvc.perform(delete("/api/projects/{id}", UUID.randomUUID()).header("Authorization", "Basic " + CI_TOKEN))
                .andExpect(status().isUnauthorized());
        // spellings of the path that the mapping still matches must not pass the filter
        for (String path : List.of("/api/projects;x=1", "/api/projects/;x=1", "/api//projects", "/API/projects")) {
            mvc.perform(post(java.net.URI.create(path)).contentType(MediaType.APPLICATION_JSON).content("{}"))
                    .andExpect(status().isUnauthorized());
        }
        org.assertj.core.api.Assertions.assertThat(controller.callers).isEmpty();
    }

    @Test
    void aWriteWithAnUnknownKeyIs401InvalidToken() throws Exception {
        mvc.perform(post("/api/projects/{id}/refresh", UUID.randomUUID()).header("Authorization", "Bearer cv_not-a-key"))
                .andExpect(status().isUnauthorized())
                .andExpect(header().string("WWW-Authenticate", "Bearer realm=\"commit-viewer\", error=\"invalid_token\""));
        org.assertj.core.api.Assertions.assertThat(controller.callers).isEmpty();
    }

    @Test
    void aWriteWithAKnownKeyReachesTheControllerAsThatCaller() throws Exception {
        mvc.perform(post("/api/projects/{id}/refresh", UUID.randomUUID()).header("Authorization", "bearer " + CI_TOKEN))
                .andExpect(status().isOk());
        org.assertj.core.api.Assertions.assertThat(controller.callers).containsExactly(new Caller("ci", false));
    }
}
