package io.commitviewer.common.url;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.commitviewer.common.url.InvalidRepositoryUrlException.Reason;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RepositoryUrlPolicyTests {

    private final RepositoryUrlPolicy github = RepositoryUrlPolicy.githubOnly();

    static Stream<Arguments> accepted() {
        return Stream.of(
                arguments("https://github.com/octocat/Hello-World", "https://github.com/octocat/Hello-World"),
                arguments("https://github.com/octocat/Hello-World.git", "https://github.com/octocat/Hello-World"),
                arguments("https://github.com/octocat/Hello-World/", "https://github.com/octocat/Hello-World"),
                arguments("https://github.com/octocat/Hello-World.git/", "https://github.com/octocat/Hello-World"),
                arguments("http://github.com/octocat/Hello-World", "https://github.com/octocat/Hello-World"),
                arguments("HTTPS://GitHub.COM/octocat/Hello-World", "https://github.com/octocat/Hello-World"),
                arguments("https://github.com/octocat/hello-world.GIT", "https://github.com/octocat/hello-world"),
                arguments("git@github.com:octocat/Hello-World.git", "https://github.com/octocat/Hello-World"),
                arguments("git@github.com:octocat/Hello-World", "https://github.com/octocat/Hello-World"),
                arguments("ssh://git@github.com/octocat/Hello-World.git", "https://github.com/octocat/Hello-World"),
                arguments("github.com/octocat/Hello-World", "https://github.com/octocat/Hello-World"),
                arguments("https://github.com/octocat/Hello-World/tree/main", "https://github.com/octocat/Hello-World"),
                arguments("https://github.com/octocat/Hello-World/tree/feature/x/y", "https://github.com/octocat/Hello-World"),
                arguments("https://github.com/octocat/Hello-World/commits/main", "https://github.com/octocat/Hello-World"),
                arguments("https://github.com/octocat/Hello-World/commits", "https://github.com/octocat/Hello-World"),
                arguments("https://github.com/octocat/Hello-World/blob/main/README.md", "https://github.com/octocat/Hello-World"),
                arguments("  https://github.com/octocat/Hello-World\n", "https://github.com/octocat/Hello-World"),
                arguments("https://github.com/a/b", "https://github.com/a/b"),
                arguments("https://github.com/spring-projects/spring-boot", "https://github.com/spring-projects/spring-boot"),
                arguments("https://github.com/user/.github", "https://github.com/user/.github"),
                arguments("https://github.com/user/repo_name.with.dots", "https://github.com/user/repo_name.with.dots"),
                arguments("https://github.com/" + "a".repeat(39) + "/" + "r".repeat(100),
                        "https://github.com/" + "a".repeat(39) + "/" + "r".repeat(100)));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("accepted")
    void acceptsAndNormalises(String input, String canonical) {
        RepositoryUrl url = github.parse(input);
        assertThat(url.canonical()).isEqualTo(canonical);
        assertThat(url.cloneUrl()).isEqualTo(canonical + ".git");
    }

    static Stream<Arguments> rejected() {
        return Stream.of(
                arguments(null, Reason.BLANK),
                arguments("", Reason.BLANK),
                arguments("   ", Reason.BLANK),
                arguments("https://user:secret@github.com/a/b", Reason.CREDENTIALS),
                arguments("https://token@github.com/a/b", Reason.CREDENTIALS),
                arguments("https://github.com@evil.com/a/b", Reason.CREDENTIALS),
                arguments("https://github.com:8443/a/b", Reason.PORT_NOT_ALLOWED),
                arguments("https://github.com:443@evil.com/a/b", Reason.CREDENTIALS),
                arguments("file:///etc/passwd", Reason.SCHEME_NOT_ALLOWED),
                arguments("file://github.com/a/b", Reason.SCHEME_NOT_ALLOWED),
                arguments("ext::sh -c touch% /tmp/pwned", Reason.WHITESPACE),
                arguments("ext::sh%20-c%20id", Reason.SCHEME_NOT_ALLOWED),
                arguments("git://github.com/a/b", Reason.SCHEME_NOT_ALLOWED),
                arguments("ftp://github.com/a/b", Reason.SCHEME_NOT_ALLOWED),
                arguments("ssh://git@evil.com/a/b", Reason.HOST_NOT_ALLOWED),
                arguments("ssh://root@github.com/a/b", Reason.CREDENTIALS),
                arguments("ssh://git@github.com:2222/a/b", Reason.PORT_NOT_ALLOWED),
                arguments("git@evil.com:a/b.git", Reason.HOST_NOT_ALLOWED),
                arguments("root@github.com:a/b.git", Reason.CREDENTIALS),
                arguments("-uhttps://github.com/a/b", Reason.LOOKS_LIKE_OPTION),
                arguments("--upload-pack=touch /tmp/x", Reason.WHITESPACE),
                arguments("--upload-pack=id", Reason.LOOKS_LIKE_OPTION),
                arguments("https://github.com/-a/b", Reason.INVALID_OWNER),
                arguments("https://github.com/a/-b", Reason.INVALID_REPOSITORY),
                arguments("https://github.com/a/..", Reason.INVALID_PATH),
                arguments("https://github.com/../a/b", Reason.INVALID_PATH),
                arguments("https://github.com/a/b/tree/../../c/d", Reason.INVALID_PATH),
                arguments("https://github.com/a/%2e%2e", Reason.ENCODED_CHARACTERS),
                arguments("https://github.com/%2dupload-pack/b", Reason.ENCODED_CHARACTERS),
                arguments("https://github.com/a/b%00", Reason.ENCODED_CHARACTERS),
                arguments("https://github.com/a/b%2F..%2F..", Reason.ENCODED_CHARACTERS),
                arguments("https://gіthub.com/a/b", Reason.HOST_NOT_ALLOWED), // Cyrillic і
                arguments("https://github.com.evil.com/a/b", Reason.HOST_NOT_ALLOWED),
                arguments("https://evil.com/github.com/a/b", Reason.HOST_NOT_ALLOWED),
                arguments("https://api.github.com/repos/a/b", Reason.HOST_NOT_ALLOWED),
                arguments("https://gitlab.com/a/b", Reason.HOST_NOT_ALLOWED),
                arguments("https://127.0.0.1/a/b", Reason.HOST_NOT_ALLOWED),
                arguments("https://github.com/a b/c", Reason.WHITESPACE),
                arguments("https://github.com/a/b\u00a0", Reason.WHITESPACE),
                arguments("https://github.com/a/b\u0000", Reason.CONTROL_CHARACTERS),
                arguments("https://github.com/a/b\u001b[31m", Reason.CONTROL_CHARACTERS),
                arguments("https://github.com/a/b\r\nHost: evil", Reason.CONTROL_CHARACTERS),
                arguments("https://github.com/a/b\u0085", Reason.CONTROL_CHARACTERS),
                arguments("https://github.com/a/" + "b".repeat(10 * 1024), Reason.TOO_LONG),
                arguments("https://github.com/" + "a".repeat(40) + "/b", Reason.INVALID_OWNER),
                arguments("https://github.com/a/" + "r".repeat(101), Reason.INVALID_REPOSITORY),
                arguments("https://github.com/a/b?ref=main", Reason.QUERY_OR_FRAGMENT),
                arguments("https://github.com/a/b#readme", Reason.QUERY_OR_FRAGMENT),
                arguments("https://github.com/a/b.git/info/refs", Reason.INVALID_PATH),
                arguments("https://github.com/a/b/settings/../../x", Reason.INVALID_PATH),
                arguments("https://github.com/a/b/unknown-section", Reason.INVALID_PATH),
                arguments("https://github.com/a", Reason.INVALID_PATH),
                arguments("https://github.com/", Reason.INVALID_PATH),
                arguments("https://github.com", Reason.INVALID_PATH),
                arguments("https://github.com//a/b", Reason.INVALID_PATH),
                arguments("https://github.com/a\\b/c", Reason.INVALID_PATH),
                arguments("https://github.com/o_o/b", Reason.INVALID_OWNER),
                arguments("https://github.com/a/.git", Reason.INVALID_REPOSITORY),
                arguments("https://github.com/g/g.git.git", Reason.INVALID_REPOSITORY), // found by ParserFuzzTests#urlPolicy
                arguments("https://github.com/a/b@c", Reason.INVALID_REPOSITORY),
                arguments("https:///a/b", Reason.HOST_NOT_ALLOWED),
                arguments("http://127.0.0.1:18080/a/b", Reason.HOST_NOT_ALLOWED),
                arguments("evil.com/a/b", Reason.HOST_NOT_ALLOWED),
                arguments("C:\\repos\\a", Reason.SCHEME_NOT_ALLOWED),
                arguments("/srv/git/a.git", Reason.HOST_NOT_ALLOWED));
    }

    @ParameterizedTest(name = "[{index}] {1}: {0}")
    @MethodSource("rejected")
    void rejectsWithReason(String input, Reason reason) {
        assertThatThrownBy(() -> github.parse(input))
                .isInstanceOfSatisfying(InvalidRepositoryUrlException.class, e -> {
                    assertThat(e.reason()).isEqualTo(reason);
                    assertThat(e.getMessage()).startsWith(reason.description());
                });
    }

    @Test
    void identityKeyIgnoresCaseAndSpelling() {
        List<String> spellings = List.of("https://github.com/Octocat/Hello-World", "http://github.com/octocat/hello-world/",
                "git@github.com:OCTOCAT/HELLO-WORLD.git", "github.com/octocat/Hello-World.git",
                "https://github.com/octocat/Hello-World/tree/main");
        assertThat(spellings.stream().map(s -> github.parse(s).identityKey()).distinct())
                .containsExactly("https://github.com/octocat/hello-world");
    }

    @Test
    void extraOriginsOnlyThroughConfiguration() {
        RepositoryUrlPolicy policy = new RepositoryUrlPolicy(
                AllowedOrigins.parse("https://github.com, http://127.0.0.1:18080, https://ghe.example.com/"));

        assertThat(policy.parse("http://127.0.0.1:18080/team/app").canonical()).isEqualTo("http://127.0.0.1:18080/team/app");
        assertThat(policy.parse("https://GHE.example.com/team/app.git").canonical()).isEqualTo("https://ghe.example.com/team/app");
        assertThat(policy.parse("git@ghe.example.com:team/app.git").canonical()).isEqualTo("https://ghe.example.com/team/app");
        assertThatThrownBy(() -> policy.parse("http://127.0.0.1:18081/team/app"))
                .hasFieldOrPropertyWithValue("reason", Reason.PORT_NOT_ALLOWED);
        assertThatThrownBy(() -> policy.parse("https://127.0.0.1:18080/team/app"))
                .hasFieldOrPropertyWithValue("reason", Reason.SCHEME_NOT_ALLOWED);
        assertThatThrownBy(() -> policy.parse("http://ghe.example.com.evil.org/team/app"))
                .hasFieldOrPropertyWithValue("reason", Reason.HOST_NOT_ALLOWED);
    }

    @Test
    void plainHttpOnlyForAnOriginListedWithHttp() {
        RepositoryUrlPolicy policy = new RepositoryUrlPolicy(AllowedOrigins.parse("https://github.com,http://mirror.local"));
        assertThat(policy.parse("http://github.com/a/b").origin()).isEqualTo("https://github.com");
        assertThat(policy.parse("http://mirror.local/a/b").origin()).isEqualTo("http://mirror.local");
        assertThat(policy.allowedOrigins().gitProtocols()).isEqualTo("https:http");
        assertThat(RepositoryUrlPolicy.githubOnly().allowedOrigins().gitProtocols()).isEqualTo("https");
    }
}
