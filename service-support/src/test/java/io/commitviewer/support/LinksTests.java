package io.commitviewer.support;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;

class LinksTests {

    private static MockHttpServletRequest request() {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/api/projects/p1/commits");
        request.setQueryString("author=a%40b.org&cursor=OLD&limit=5");
        request.setServerName("attacker.example");
        request.addHeader("Host", "attacker.example");
        request.addHeader("X-Forwarded-Host", "attacker.example");
        return request;
    }

    private static Object[] next() {
        return new Object[] {"cursor", "NEW", "limit", 5};
    }

    @Test
    void withoutABaseUrlTheLinkIsRelativeAndIgnoresTheHostHeaders() {
        String link = Links.to(request(), "", next());

        assertThat(link).isEqualTo("/api/projects/p1/commits?author=a%40b.org&cursor=NEW&limit=5");
    }

    @Test
    void withABaseUrlTheLinkIsUnderIt() {
        assertThat(Links.to(request(), "https://commits.example.org/", next()))
                .isEqualTo("https://commits.example.org/api/projects/p1/commits?author=a%40b.org&cursor=NEW&limit=5");
        assertThat(Links.header("/x?page=2", "next")).isEqualTo("</x?page=2>; rel=\"next\"");
    }
}
