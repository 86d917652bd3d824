package io.commitviewer.common;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.commitviewer.common.git.FailureReason;
import io.commitviewer.common.git.GitCommit;
import io.commitviewer.common.git.GitException;
import io.commitviewer.common.git.GitLogParser;
import io.commitviewer.common.url.AllowedOrigins;
import io.commitviewer.common.url.InvalidRepositoryUrlException;
import io.commitviewer.common.url.RepositoryUrl;
import io.commitviewer.common.url.RepositoryUrlPolicy;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * Fuzz targets of what reads untrusted input in common: the URL policy (what a user POSTs) and
 * the git log parser (what a repository's owner wrote). Without {@code JAZZER_FUZZ} they run the
 * committed corpus under src/test/resources (a regression test); scripts/fuzz.sh fuzzes them.
 */
class ParserFuzzTests {

    private static final RepositoryUrlPolicy POLICY = new RepositoryUrlPolicy(
            AllowedOrigins.parse("https://github.com,internal:http://127.0.0.1:18080,https://ghe.example.com:8443"));
    private static final Pattern SAFE_CLONE_URL = Pattern.compile(
            "(https://github\\.com|http://127\\.0\\.0\\.1:18080|https://ghe\\.example\\.com:8443)/[A-Za-z0-9._-]+/[A-Za-z0-9._-]+\\.git");

    /** Any input is a URL git may be handed safely, the same one again when parsed again, or a refusal. */
    @FuzzTest(maxDuration = "30s")
    void urlPolicy(String input) {
        RepositoryUrl url;
        try {
            url = POLICY.parse(input);
        } catch (InvalidRepositoryUrlException refused) {
            assertThat(refused.reason()).isNotNull();
            return;
        }
        assertThat(url.cloneUrl()).matches(SAFE_CLONE_URL);
        assertThat(url.owner()).doesNotStartWith("-").doesNotStartWith(".");
        assertThat(url.name()).doesNotStartWith("-").isNotIn(".", "..");
        RepositoryUrl again = POLICY.parse(url.canonical());
        assertThat(again.identityKey()).isEqualTo(url.identityKey());
    }

    /** Any bytes are commits within every cap, or an IOException / INVALID_REPOSITORY: nothing else escapes. */
    @FuzzTest(maxDuration = "30s")
    void gitLogParser(byte[] output) throws Exception {
        GitLogParser parser = new GitLogParser(new ByteArrayInputStream(output), 256);
        try {
            GitCommit commit;
            while ((commit = parser.next()) != null) {
                assertThat(commit.sha()).matches("[0-9a-f]{40}([0-9a-f]{24})?");
                assertThat(commit.parents()).hasSizeLessThanOrEqualTo(GitLogParser.MAX_PARENTS)
                        .allSatisfy(parent -> assertThat(parent).matches("[0-9a-f]{40}([0-9a-f]{24})?"));
                for (String field : new String[] {commit.author().name(), commit.author().email(), commit.committer().name(),
                    commit.committer().email()}) {
                    assertThat(field.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(GitLogParser.MAX_IDENTITY_BYTES);
                }
                assertThat(commit.message().getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(256);
                for (var date : new java.time.OffsetDateTime[] {commit.author().date(), commit.committer().date()}) {
                    assertThat(date.toInstant()).isBetween(GitLogParser.EARLIEST, GitLogParser.LATEST);
                    assertThat(date.getYear()).isBetween(0, 9999);
                }
            }
        } catch (IOException malformed) {
            // output that is not in the format: git never writes it, and the fetch fails retryably
        } catch (GitException invalid) {
            assertThat(invalid.reason()).isEqualTo(FailureReason.INVALID_REPOSITORY);
        }
    }
}
