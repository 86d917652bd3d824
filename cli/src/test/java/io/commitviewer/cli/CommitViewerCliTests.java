package io.commitviewer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CommitViewerCliTests {

    @TempDir
    Path dir;

    record Result(int exit, String out, String err) {
    }

    static Result run(Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = CommitViewerCli.run(args, out, new PrintStream(err, true, StandardCharsets.UTF_8), env);
        return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private Map<String, String> recordingGit() throws Exception {
        Path fakeGit = dir.resolve("fake-git");
        Files.writeString(fakeGit, "#!/bin/sh\ntouch '" + dir.resolve("git-was-run") + "'\nexit 1\n");
        fakeGit.toFile().setExecutable(true);
        return Map.of("COMMITVIEWER_GIT_EXECUTABLE", fakeGit.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"ext::sh -c touch% /tmp/pwned", "--upload-pack=touch /tmp/x", "-oProxyCommand=id",
        "file:///etc/passwd", "https://github.com@evil.com/a/b", "https://user:token@github.com/a/b",
        "https://github.com/a/%2e%2e", "https://gіthub.com/a/b", "git@evil.com:a/b.git", "https://github.com:22/a/b",
        "https://github.com/a/b?x=1", "ssh://git@evil.com/a/b"})
    void refusesHostileUrlsWithExitTwoAndStartsNoProcess(String url) throws Exception {
        Result result = run(recordingGit(), "list-commits", "--", url);

        assertThat(result.exit()).isEqualTo(2);
        assertThat(result.err()).startsWith("commit-viewer: refused URL: ").hasLineCount(1);
        assertThat(result.out()).isEmpty();
        assertThat(dir.resolve("git-was-run")).doesNotExist();
    }

    @Test
    void theRecordingGitDoesRunForAnAcceptedUrl() throws Exception {
        // an address literal: the origin's host is resolved before git runs, and this machine may have no DNS
        Result result = run(recordingGit(), "list-commits", "--allow-origin", "internal:http://127.0.0.1:18080",
                "http://127.0.0.1:18080/octocat/Hello-World");

        assertThat(result.exit()).isEqualTo(5);
        assertThat(result.err()).startsWith("commit-viewer: git failed").hasLineCount(1);
        assertThat(dir.resolve("git-was-run")).exists();
    }

    @Test
    void helpDocumentsOptionsExitCodesAndEnvironment() {
        Result result = run(Map.of(), "list-commits", "--help");

        assertThat(result.exit()).isZero();
        assertThat(result.out()).contains("--format", "--limit", "--cache-dir", "--allow-origin", "--timeout",
                "json", "ndjson", "table", "COMMITVIEWER_GIT_ALLOWED_ORIGINS", "Exit codes:",
                "2   usage error or URL refused", "3   repository not found", "4   timed out", "5   any other git failure");
    }

    @Test
    void withoutACommandPrintsUsageAndExitsTwo() {
        Result result = run(Map.of());
        assertThat(result.exit()).isEqualTo(2);
        assertThat(result.out()).contains("list-commits");
    }

    @Test
    void unknownFormatIsAUsageError() {
        Result result = run(Map.of(), "list-commits", "--format", "xml", "https://github.com/a/b");
        assertThat(result.exit()).isEqualTo(2);
        assertThat(result.err()).contains("--format").contains("xml");
    }

    @Test
    void missingUrlIsAUsageError() {
        Result result = run(Map.of(), "list-commits");
        assertThat(result.exit()).isEqualTo(2);
        assertThat(result.err()).contains("<url>");
    }

    @Test
    void negativeLimitIsAUsageError() {
        Result result = run(Map.of(), "list-commits", "--limit", "-1", "https://github.com/a/b");
        assertThat(result.exit()).isEqualTo(2);
        assertThat(result.err()).isEqualTo("commit-viewer: --limit must be 0 or more\n");
    }

    @Test
    void invalidAllowedOriginIsAUsageError() {
        Result result = run(Map.of("COMMITVIEWER_GIT_ALLOWED_ORIGINS", "ftp://mirror"), "list-commits", "https://github.com/a/b");
        assertThat(result.exit()).isEqualTo(2);
        assertThat(result.err()).contains("invalid allowed origin 'ftp://mirror'");
    }

    @Test
    void otherHostsNeedToBeAllowed() throws Exception {
        Result refused = run(recordingGit(), "list-commits", "http://127.0.0.1:18080/a/b");
        assertThat(refused.exit()).isEqualTo(2);
        assertThat(refused.err()).contains("host not allowed");

        Map<String, String> env = new java.util.HashMap<>(recordingGit());
        Result allowedByOption = run(env, "list-commits", "--allow-origin", "internal:http://127.0.0.1:18080", "http://127.0.0.1:18080/a/b");
        assertThat(allowedByOption.exit()).isEqualTo(5);
        env.put("COMMITVIEWER_GIT_ALLOWED_ORIGINS", "https://github.com,internal:http://127.0.0.1:18080");
        Result allowedByEnvironment = run(env, "list-commits", "http://127.0.0.1:18080/a/b");
        assertThat(allowedByEnvironment.exit()).isEqualTo(5);
    }

    @Test
    void tableReplacesControlCharactersSoMessagesCannotDriveTheTerminal() {
        assertThat(CommitWriter.Table.safe("evil\u001b[2Jname\u202e\u0007")).isEqualTo("evil\uFFFD[2Jname\uFFFD\uFFFD");
    }

    @Test
    void mirrorsOfOneRepositoryShareAFolderWhateverTheSpelling() {
        var policy = new io.commitviewer.common.url.RepositoryUrlPolicy(
                io.commitviewer.common.url.AllowedOrigins.parse("https://github.com,http://127.0.0.1:18080"));
        Path root = Path.of("/cache");
        assertThat(CommitViewerCli.ListCommits.mirrorDir(root, policy.parse("git@github.com:Octo/Hello.git")))
                .isEqualTo(CommitViewerCli.ListCommits.mirrorDir(root, policy.parse("https://github.com/octo/hello/")))
                .isEqualTo(Path.of("/cache/github.com/octo/hello.git"));
        assertThat(CommitViewerCli.ListCommits.mirrorDir(root, policy.parse("http://127.0.0.1:18080/a/b")))
                .isEqualTo(Path.of("/cache/127.0.0.1_18080/a/b.git"));
    }
}
