package io.commitviewer.common.url;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AllowedOriginsTests {

    @Test
    void defaultsToGithub() {
        assertThat(AllowedOrigins.parse(null).origins()).containsExactly("https://github.com");
        assertThat(AllowedOrigins.parse(" ").origins()).containsExactly("https://github.com");
    }

    @Test
    void normalisesCaseTrailingSlashAndDefaultPorts() {
        assertThat(AllowedOrigins.parse("HTTPS://GitHub.com/, https://ghe.example.com:443,http://[::1]:8080").origins())
                .containsExactly("https://github.com", "https://ghe.example.com", "http://[::1]:8080");
    }

    @ParameterizedTest
    @ValueSource(strings = {"github.com", "https://github.com/org", "https://user@github.com", "file:///tmp",
        "https://github.com:99999", "ssh://github.com", "https://github.com?x=1", "https://"})
    void refusesAnythingButAnOrigin(String origin) {
        assertThatThrownBy(() -> AllowedOrigins.parse(origin)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("allowed origin");
    }
}
