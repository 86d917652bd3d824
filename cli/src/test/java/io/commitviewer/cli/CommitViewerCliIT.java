package io.commitviewer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.commitviewer.testsupport.GitHttpServer;
import io.commitviewer.testsupport.ServedRepository;
import io.commitviewer.testsupport.SyntheticHistory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The CLI against the loopback git server, in-process and through {@code bin/commit-viewer}. */
class CommitViewerCliIT {

    @TempDir
    static Path served;

    @TempDir
    Path work;

    static GitHttpServer server;
    static ServedRepository repository;
    static Map<String, String> env;
    static final JsonMapper JSON = JsonMapper.builder().build();

    @BeforeAll
    static void serve() {
        server = GitHttpServer.start(served);
        repository = server.repository("acme", "widgets");
        repository.load(SyntheticHistory.builder().commits(5000).branches(5).tags(3).build());
        env = Map.of("COMMITVIEWER_GIT_ALLOWED_ORIGINS", "https://github.com," + server.allowedOrigin());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static List<String> shas(JsonNode array) {
        List<String> shas = new ArrayList<>();
        array.forEach(commit -> shas.add(commit.get("sha").asString()));
        return shas;
    }

    @Test
    void listsExactlyTheRevListSetInRevListOrderAsJson() {
        CommitViewerCliTests.Result result = CommitViewerCliTests.run(env, "list-commits", server.url("acme", "widgets"));

        assertThat(result.exit()).isZero();
        assertThat(result.err()).isEmpty();
        JsonNode commits = JSON.readTree(result.out());
        assertThat(shas(commits)).containsExactlyElementsOf(repository.revListBranches());
        JsonNode first = commits.get(0);
        assertThat(first.propertyNames()).containsExactly("sha", "parents", "author", "committer", "message");
        assertThat(first.get("author").propertyNames()).containsExactly("name", "email", "date");
        OffsetDateTime.parse(first.get("committer").get("date").asString());
        String newest = repository.git("log", "-1", "--format=%H%x00%an%x00%ae%x00%cI%x00%B", "--branches");
        String[] fields = newest.split("\0");
        assertThat(first.get("sha").asString()).isEqualTo(fields[0]);
        assertThat(first.get("author").get("name").asString()).isEqualTo(fields[1]);
        assertThat(first.get("author").get("email").asString()).isEqualTo(fields[2]);
        assertThat(OffsetDateTime.parse(first.get("committer").get("date").asString()))
                .isEqualTo(OffsetDateTime.parse(fields[3].strip()));
        assertThat(first.get("message").asString()).isEqualTo(fields[4].strip());
    }

    /**
     * Issue 25: the API's questions, asked of git directly — each listing exactly {@code git
     * rev-list} with the same options on the served repository (git in the C locale: ASCII letters
     * fold), dates as the API cuts them.
     */
    @Test
    void filtersListExactlyWhatGitLogFinds() {
        String url = server.url("acme", "widgets");
        String old = repository.revList("main").get(900);
        Object[][] cases = {
            {new String[] {"--grep", "fix", "--grep", "PARSER"}, new String[] {"--branches", "-i", "-F", "--all-match", "--grep=fix", "--grep=PARSER"}},
            {new String[] {"--author", "ada", "--committer", "LOVELACE"}, new String[] {"--branches", "-i", "-F", "--all-match", "--author=ada", "--committer=LOVELACE"}},
            {new String[] {"--author", "o", "--grep", "the"}, new String[] {"--branches", "-i", "-F", "--all-match", "--author=o", "--grep=the"}},
            {new String[] {"--branch", "feature/topic-2", "--grep", "fix"}, new String[] {"-i", "-F", "--grep=fix", "feature/topic-2"}},
            {new String[] {"--ref", old.substring(0, 9)}, new String[] {old}},
            {new String[] {"--ref", "main", "-n", "7"}, new String[] {"-n", "7", "main"}},
        };
        assertListsAsGit(repository, url, cases);

        // dates: every commit committed within the range, as the API cuts it (no stop at the first older commit)
        List<String[]> rows = repository.git("log", "--branches", "--format=%H %ct").lines().map(line -> line.split(" ")).toList();
        long from = Long.parseLong(rows.get(rows.size() * 2 / 3)[1]);
        long to = Long.parseLong(rows.get(rows.size() / 3)[1]);
        List<String> expected = rows.stream().filter(r -> Long.parseLong(r[1]) >= from && Long.parseLong(r[1]) <= to).map(r -> r[0]).toList();
        CommitViewerCliTests.Result dated = CommitViewerCliTests.run(env, "list-commits", "--format", "ndjson", "--since",
                java.time.Instant.ofEpochSecond(from).toString(), "--until", java.time.Instant.ofEpochSecond(to).toString(), url);
        assertThat(dated.out().lines().map(line -> JSON.readTree(line).get("sha").asString()).toList()).containsExactlyElementsOf(expected);
    }

    /** Each case's options list exactly {@code git rev-list} of its arguments on the served repository, in order. */
    private static void assertListsAsGit(ServedRepository served, String url, Object[][] cases) {
        for (Object[] c : cases) {
            List<String> args = new ArrayList<>(List.of("list-commits", "--format", "ndjson"));
            args.addAll(List.of((String[]) c[0]));
            args.add(url);
            CommitViewerCliTests.Result result = CommitViewerCliTests.run(env, args.toArray(String[]::new));
            assertThat(result.exit()).as(result.err()).isZero();
            List<String> shas = result.out().lines().map(line -> JSON.readTree(line).get("sha").asString()).toList();
            assertThat(shas).as(String.join(" ", (String[]) c[0])).isNotEmpty().containsExactlyElementsOf(served.revList((String[]) c[1]));
        }
    }

    /** Tags are refs as git reads them: annotated and lightweight, on commits only they reach, one named as a branch. */
    @Test
    void aTagIsARefAsInGitAndEveryBranchStaysTheDefault() {
        ServedRepository tagged = server.repository("acme", "tagged");
        tagged.load(SyntheticHistory.builder().commits(800).branches(4).build());
        tagged.tagEveryKind(false);
        String url = server.url("acme", "tagged");
        Object[][] cases = {
            {new String[] {}, new String[] {"--branches"}},
            {new String[] {"--ref", "v9.9"}, new String[] {"refs/tags/v9.9"}},
            {new String[] {"--ref", "rc-9"}, new String[] {"refs/tags/rc-9"}},
            {new String[] {"--ref", "nested", "--grep", "release/9"}, new String[] {"-i", "-F", "--grep=release/9", "refs/tags/nested"}},
            {new String[] {"--ref", "feature/topic-1"}, new String[] {"refs/tags/feature/topic-1"}},
            {new String[] {"--branch", "feature/topic-1"}, new String[] {"refs/heads/feature/topic-1"}},
        };
        assertListsAsGit(tagged, url, cases);
        CommitViewerCliTests.Result onATree = CommitViewerCliTests.run(env, "list-commits", "--ref", "on-a-tree", url);
        assertThat(onATree.exit()).isEqualTo(3);
        assertThat(onATree.err()).contains("no branch, tag or single commit named on-a-tree");
    }

    @Test
    void badFiltersAreUsageErrorsAndAnUnknownRefIsNotFound() {
        String url = server.url("acme", "widgets");
        String[][] usage = {{"--ref", "main..feature"}, {"--ref", "-n"}, {"--branch", "a:b"}, {"--branch", "main", "--ref", "main"},
            {"--grep", ""}, {"--author", "tab\there"}, {"--since", "last tuesday"}, {"--since", "2024-02-01", "--until", "2024-01-01"}};
        for (String[] options : usage) {
            List<String> args = new ArrayList<>(List.of("list-commits"));
            args.addAll(List.of(options));
            args.add(url);
            CommitViewerCliTests.Result result = CommitViewerCliTests.run(env, args.toArray(String[]::new));
            assertThat(result.exit()).as(String.join(" ", options) + ": " + result.err()).isEqualTo(2);
            assertThat(result.out()).isEmpty();
        }
        CommitViewerCliTests.Result unknown = CommitViewerCliTests.run(env, "list-commits", "--ref", "no-such-branch", url);
        assertThat(unknown.exit()).isEqualTo(3);
        assertThat(unknown.err()).contains("no branch, tag or single commit named no-such-branch");
        CommitViewerCliTests.Result gone = CommitViewerCliTests.run(env, "list-commits", "--branch", "gone", url);
        assertThat(gone.exit()).isEqualTo(3);
        assertThat(gone.err()).contains("no branch gone");
    }

    /**
     * On a terminal (bin/commit-viewer says so) stderr gets one progress line, rewritten in place
     * and erased at the end, and stdout is the same; --quiet, or stderr not a terminal, none.
     */
    @Test
    void aTerminalGetsAProgressLineOnStderrThatQuietTurnsOff() {
        Map<String, String> terminal = new java.util.HashMap<>(env);
        terminal.put("COMMITVIEWER_STDERR_IS_TERMINAL", "1");
        String url = server.url("acme", "widgets");
        CommitViewerCliTests.Result plain = CommitViewerCliTests.run(env, "list-commits", url);
        CommitViewerCliTests.Result shown = CommitViewerCliTests.run(terminal, "list-commits", url);
        CommitViewerCliTests.Result quiet = CommitViewerCliTests.run(terminal, "list-commits", "--quiet", url);

        assertThat(shown.exit()).isZero();
        assertThat(shown.out()).isEqualTo(plain.out());
        String erase = "\r\u001b[K";
        assertThat(shown.err()).startsWith(erase + "commit-viewer: cloning " + url)
                .contains(erase + "commit-viewer: listing commits").endsWith(erase).doesNotContain("\n");
        assertThat(plain.err()).isEmpty();
        assertThat(quiet.exit()).isZero();
        assertThat(quiet.err()).isEmpty();
        assertThat(quiet.out()).isEqualTo(plain.out());
        Map<String, String> both = new java.util.HashMap<>(terminal);
        both.put("COMMITVIEWER_STDOUT_IS_TERMINAL", "1");
        CommitViewerCliTests.Result sameTerminal = CommitViewerCliTests.run(both, "list-commits", url);
        assertThat(sameTerminal.out()).isEqualTo(plain.out());
        assertThat(sameTerminal.err()).as("erased before the first commit, nothing after").endsWith(erase)
                .doesNotContain("listed ");
        CommitViewerCliTests.Result failed = CommitViewerCliTests.run(terminal, "list-commits", server.url("acme", "nothing-here"));
        assertThat(failed.err()).as("the line is erased before the error").contains(erase + "commit-viewer: ")
                .endsWith("\n").contains(erase + "commit-viewer: repository not found");
    }

    @Test
    void ndjsonHasOneCommitPerLineAndLimitStopsEarly() {
        CommitViewerCliTests.Result result = CommitViewerCliTests.run(env, "list-commits", "--format", "ndjson", "--limit", "25",
                server.url("acme", "widgets") + ".git");

        assertThat(result.exit()).isZero();
        String[] lines = result.out().split("\n");
        assertThat(lines).hasSize(25);
        List<String> shas = new ArrayList<>();
        for (String line : lines) {
            shas.add(JSON.readTree(line).get("sha").asString());
        }
        assertThat(shas).containsExactlyElementsOf(repository.revListBranches().subList(0, 25));
    }

    @Test
    void tableShowsShortShaDateAuthorAndSubject() {
        CommitViewerCliTests.Result result = CommitViewerCliTests.run(env, "list-commits", "--format", "table", "--limit", "3",
                server.url("acme", "widgets"));

        assertThat(result.exit()).isZero();
        String[] lines = result.out().split("\n");
        assertThat(lines).hasSize(4);
        assertThat(lines[0]).startsWith("SHA").contains("COMMITTED", "AUTHOR", "SUBJECT");
        assertThat(lines[1]).startsWith(repository.revListBranches().get(0).substring(0, 12));
    }

    @Test
    void limitZeroPrintsAnEmptyArray() {
        CommitViewerCliTests.Result result = CommitViewerCliTests.run(env, "list-commits", "--limit", "0", server.url("acme", "widgets"));
        assertThat(result.exit()).isZero();
        assertThat(result.out().strip()).isEqualTo("[]");
    }

    @Test
    void missingRepositoryExitsThree() {
        CommitViewerCliTests.Result result = CommitViewerCliTests.run(env, "list-commits", server.url("acme", "nothing-here"));
        assertThat(result.exit()).isEqualTo(3);
        assertThat(result.err()).startsWith("commit-viewer: repository not found: ").hasLineCount(1);
        assertThat(result.out()).isEmpty();
    }

    @Test
    void privateRepositoryExitsThree() {
        server.repository("acme", "private-one").load(SyntheticHistory.builder().commits(5).build());
        server.makePrivate("acme", "private-one");
        CommitViewerCliTests.Result result = CommitViewerCliTests.run(env, "list-commits", server.url("acme", "private-one"));
        assertThat(result.exit()).isEqualTo(3);
        assertThat(result.err()).startsWith("commit-viewer: access denied").hasLineCount(1);
    }

    @Test
    void stalledServerExitsFourAtTheTimeout() {
        server.repository("acme", "stalling").load(SyntheticHistory.builder().commits(5).build());
        server.stall("acme", "stalling");
        CommitViewerCliTests.Result result = CommitViewerCliTests.run(env, "list-commits", "--timeout", "1", server.url("acme", "stalling"));
        assertThat(result.exit()).isEqualTo(4);
        assertThat(result.err()).startsWith("commit-viewer: timed out").contains("1 s").hasLineCount(1);
    }

    @Test
    void cacheDirKeepsTheMirrorAndListsNewCommitsNextTime() {
        ServedRepository growing = server.repository("acme", "growing");
        growing.load(SyntheticHistory.builder().commits(300).build());
        Path cache = work.resolve("cache");
        String url = server.url("acme", "growing");

        assertThat(CommitViewerCliTests.run(env, "list-commits", "--cache-dir", cache.toString(), url).exit()).isZero();
        Path mirror = cache.resolve(server.origin().substring("http://".length()).replace(':', '_')).resolve("acme/growing.git");
        assertThat(mirror.resolve("HEAD")).exists();
        List<String> added = growing.addCommits("main", 4);
        CommitViewerCliTests.Result second = CommitViewerCliTests.run(env, "list-commits", "--cache-dir", cache.toString(), url);

        assertThat(second.exit()).isZero();
        List<String> listed = shas(JSON.readTree(second.out()));
        assertThat(listed).hasSize(304).containsAll(added).containsExactlyElementsOf(growing.revListBranches());
    }

    @Test
    void scriptRunsTheJarAndLeavesNoTemporaryFolder() throws Exception {
        Path tmp = Files.createDirectories(work.resolve("tmp"));
        Map<String, String> scriptEnv = new HashMap<>(env);
        scriptEnv.put("COMMITVIEWER_JAVA_OPTS", "-Djava.io.tmpdir=" + tmp);
        Process process = script(scriptEnv, "list-commits", "--format", "ndjson", server.url("acme", "widgets"));
        byte[] out = process.getInputStream().readAllBytes();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();

        assertThat(process.exitValue()).isZero();
        assertThat(new String(out, StandardCharsets.UTF_8).split("\n")).hasSize(repository.revListBranches().size());
        try (var left = Files.list(tmp)) {
            assertThat(left.filter(p -> p.getFileName().toString().startsWith("commit-viewer-"))).isEmpty();
        }
    }

    /** A reader that goes away (piped into head) ends the listing quietly in every format: exit 0, nothing on stderr. */
    @Test
    void aReaderThatStopsReadingEndsTheListingQuietly() throws Exception {
        for (String format : List.of("json", "ndjson", "table")) {
            Process process = script(env, "list-commits", "--format", format, server.url("acme", "widgets"));
            byte[] some = process.getInputStream().readNBytes(100);
            process.getInputStream().close(); // 5,000 commits do not fit in the pipe: the CLI is still writing
            String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(some).as(format).hasSize(100);
            assertThat(err).as(format).isEmpty();
            assertThat(process.exitValue()).as(format).isZero();
        }
    }

    /**
     * Without {@code --ref} only the branches are fetched (the limit's own work: docs/benchmarks.md);
     * a kept mirror takes the tags when a later {@code --ref} may name one.
     */
    @Test
    void theTagsAreFetchedWhenARefMayNameOne() throws Exception {
        ServedRepository tagged = server.repository("acme", "tagged-later");
        tagged.load(SyntheticHistory.builder().commits(300).branches(2).build());
        tagged.tagEveryKind(false);
        Path cache = work.resolve("cache");
        String url = server.url("acme", "tagged-later");

        CommitViewerCliTests.Result branches = CommitViewerCliTests.run(env, "list-commits", "--cache-dir", cache.toString(), url);
        assertThat(branches.exit()).isZero();
        assertThat(shas(JSON.readTree(branches.out()))).containsExactlyElementsOf(tagged.revListBranches());
        Path mirror = cache.resolve(server.origin().substring("http://".length()).replace(':', '_')).resolve("acme/tagged-later.git");
        Process tags = new ProcessBuilder("git", "-C", mirror.toString(), "for-each-ref", "refs/tags/").start();
        assertThat(new String(tags.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isEmpty();

        CommitViewerCliTests.Result byTag = CommitViewerCliTests.run(env, "list-commits", "--cache-dir", cache.toString(), "--ref", "v9.9",
                url);
        assertThat(byTag.exit()).as(byTag.err()).isZero();
        assertThat(shas(JSON.readTree(byTag.out()))).containsExactlyElementsOf(tagged.revList("refs/tags/v9.9"));
    }

    /**
     * The script keeps a class-data sharing archive beside the jar: the first run writes it, the
     * next maps the CLI's classes from it; the listing is the same and stderr stays empty.
     */
    @Test
    void scriptKeepsAClassDataArchiveBesideTheJar() throws Exception {
        Path jar = Files.copy(Path.of("target", "commit-viewer-cli.jar"), work.resolve("cli.jar"));
        Path classes = work.resolve("classes.log");
        Map<String, String> scriptEnv = new HashMap<>(env);
        scriptEnv.put("COMMITVIEWER_CLI_JAR", jar.toString());
        List<String> outputs = new ArrayList<>();
        for (int run = 0; run < 2; run++) {
            if (run == 1) {
                scriptEnv.put("COMMITVIEWER_JAVA_OPTS", "-Xlog:class+load=info:file=" + classes);
            }
            Process process = script(scriptEnv, "list-commits", "--format", "ndjson", "-n", "50", server.url("acme", "widgets"));
            outputs.add(new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(process.exitValue()).isZero();
            assertThat(err).isEmpty();
        }
        assertThat(work.resolve("cli.jsa")).isNotEmptyFile();
        assertThat(outputs.get(1)).isEqualTo(outputs.get(0)).hasLineCount(50);
        assertThat(Files.readString(classes)).contains("io.commitviewer.cli.CommitViewerCli source: shared objects file (top)");
    }

    @Test
    void scriptExplainsHowToBuildWhenTheJarIsMissing() throws Exception {
        Map<String, String> scriptEnv = new HashMap<>(env);
        scriptEnv.put("COMMITVIEWER_CLI_JAR", work.resolve("missing.jar").toString());
        Process process = script(scriptEnv, "list-commits", "https://github.com/a/b");
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isEqualTo(1);
        assertThat(err).contains("is not built").contains("./mvnw -q -pl cli -am package -DskipTests");
    }

    private static Process script(Map<String, String> scriptEnv, String... args) throws Exception {
        Path script = Path.of("..", "bin", "commit-viewer").toAbsolutePath().normalize();
        List<String> command = new ArrayList<>(List.of(script.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.PIPE);
        builder.environment().putAll(scriptEnv);
        return builder.start();
    }
}
