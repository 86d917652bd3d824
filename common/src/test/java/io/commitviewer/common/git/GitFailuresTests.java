package io.commitviewer.common.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class GitFailuresTests {

    static Stream<Arguments> stderr() {
        return Stream.of(
                arguments("remote: Repository not found.\nfatal: repository 'https://github.com/a/b.git/' not found\n",
                        FailureReason.REPOSITORY_NOT_FOUND),
                arguments("fatal: repository 'http://127.0.0.1:1/a/b.git/' not found", FailureReason.REPOSITORY_NOT_FOUND),
                // what git 2.39 writes when the disk fills during a clone or fetch
                arguments("error: unable to write file objects/pack/tmp_pack_Ab12Cd: No space left on device\n"
                        + "fatal: fetch-pack: invalid index-pack output", FailureReason.DISK_FULL),
                arguments("fatal: write error: No space left on device", FailureReason.DISK_FULL),
                arguments("error: RPC failed; HTTP 429 curl 22 The requested URL returned error: 429\n"
                        + "fatal: expected flush after ref listing", FailureReason.RATE_LIMITED),
                arguments("fatal: could not read Username for 'https://github.com': terminal prompts disabled",
                        FailureReason.ACCESS_DENIED),
                arguments("fatal: Authentication failed for 'https://github.com/a/b.git/'", FailureReason.ACCESS_DENIED),
                arguments("fatal: unable to access 'https://github.com/a/b.git/': The requested URL returned error: 403",
                        FailureReason.ACCESS_DENIED),
                arguments("error: RPC failed; curl 28 Operation too slow. Less than 1000 bytes/sec transferred the last 30 seconds",
                        FailureReason.TIMEOUT),
                arguments("fatal: unable to access 'https://github.com/a/b.git/': Could not resolve host: github.com",
                        FailureReason.UNREACHABLE),
                arguments("fatal: unable to access 'http://127.0.0.1:9/a/b.git/': Failed to connect to 127.0.0.1 port 9 after 0 ms: Couldn't connect to server",
                        FailureReason.UNREACHABLE),
                arguments("fatal: unable to access 'https://github.com/a/b.git/': The requested URL returned error: 502",
                        FailureReason.UNREACHABLE),
                arguments("fatal: early EOF\nfatal: index-pack failed", FailureReason.GIT_ERROR),
                arguments("", FailureReason.GIT_ERROR));
    }

    @ParameterizedTest
    @MethodSource("stderr")
    void classifiesStderr(String stderr, FailureReason reason) {
        assertThat(GitFailures.classify(stderr)).isEqualTo(reason);
    }

    @Test
    void summarisesWithTheFatalLine() {
        assertThat(GitFailures.summary("remote: Repository not found.\nfatal: repository 'x' not found\n"))
                .isEqualTo("repository 'x' not found");
        assertThat(GitFailures.summary("hint: something\nwarning: odd\n")).isEqualTo("warning: odd");
        assertThat(GitFailures.summary("")).isEqualTo("git failed without a message");
    }

    @Test
    void onlyTransientReasonsAreRetryable() {
        assertThat(FailureReason.REPOSITORY_NOT_FOUND.retryable()).isFalse();
        assertThat(FailureReason.ACCESS_DENIED.retryable()).isFalse();
        assertThat(FailureReason.TOO_LARGE.retryable()).isFalse();
        assertThat(FailureReason.TIMEOUT.retryable()).isTrue();
        assertThat(FailureReason.UNREACHABLE.retryable()).isTrue();
    }
}
