package io.commitviewer.common.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.commitviewer.common.url.AllowedOrigins;
import io.commitviewer.common.url.InvalidRepositoryUrlException;
import io.commitviewer.common.url.RepositoryUrl;
import io.commitviewer.common.url.RepositoryUrlPolicy;
import io.commitviewer.testsupport.GitCli;
import io.commitviewer.testsupport.GitHttpServer;
import io.commitviewer.testsupport.ServedRepository;
import io.commitviewer.testsupport.SyntheticHistory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The git wrapper against a real smart-HTTP server on loopback. */
class GitMirrorIT {

    @TempDir
    static Path served;

    @TempDir
    Path cache;

    static GitHttpServer server;
    static RepositoryUrlPolicy policy;
    static Git git;

    @BeforeAll
    static void startServer() {
        server = GitHttpServer.start(served);
        policy = new RepositoryUrlPolicy(AllowedOrigins.parse("https://github.com," + server.allowedOrigin()));
        git = new Git(GitSettings.defaults(policy.allowedOrigins()).withCommandTimeout(Duration.ofSeconds(20)));
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    private ServedRepository history(String name, int commits) {
        ServedRepository repository = server.repository("acme", name);
        repository.load(SyntheticHistory.builder().commits(commits).branches(4).tags(2).build());
        return repository;
    }

    private RepositoryUrl url(String name) {
        return policy.parse(server.url("acme", name));
    }

    private static List<String> shas(Mirror mirror) {
        List<String> shas = new ArrayList<>();
        mirror.forEachCommit(c -> shas.add(c.sha()));
        return shas;
    }

    @Test
    void treelessMirrorHoldsCommitsOnlyAndListsEveryBranchInRevListOrder() {
        ServedRepository repository = history("treeless", 3000);

        MirrorUpdate update = git.update(url("treeless"), cache.resolve("m.git"));

        assertThat(update.cloned()).isTrue();
        Map<String, Long> types = objectTypes(update.mirror().dir());
        assertThat(types).containsOnlyKeys("commit", "tag").containsEntry("commit", 3000L);
        assertThat(shas(update.mirror())).containsExactlyElementsOf(repository.revListBranches());
        assertThat(update.mirror().countCommits()).isEqualTo(3000);
        assertThat(update.after()).extracting(Branch::name).containsExactlyInAnyOrderElementsOf(repository.branches().keySet());
        assertThat(update.mirror().tags()).isNotEmpty().containsExactlyElementsOf(expectedTags(repository));
        assertThat(server.protocolsSeen()).contains("version=2");
    }

    @Test
    void tagsOfEveryKindArePeeledWithoutFetchingTreesAndFollowUpstream() {
        ServedRepository repository = history("tagged", 600);
        repository.tagEveryKind(false);
        Path dir = cache.resolve("m.git");

        Mirror mirror = git.update(url("tagged"), dir).mirror();

        assertThat(mirror.tags()).containsExactlyElementsOf(expectedTags(repository));
        assertThat(objectTypes(dir)).containsEntry("tree", 1L).containsEntry("blob", 1L); // the tagged ones, nothing under them
        List<String> tagCommits = mirror.tags().stream().filter(Tag::onCommit).map(Tag::object).toList();
        List<String> listed = new ArrayList<>();
        mirror.forEachCommit(tagCommits, c -> listed.add(c.sha()));
        List<String> expected = new ArrayList<>(List.of("--branches"));
        expected.addAll(tagCommits);
        assertThat(listed).containsExactlyElementsOf(repository.revList(expected.toArray(String[]::new)));
        assertThat(listed).hasSize(603); // the deleted branch's 3 commits, which only tags reach
        assertThat(mirror.commitOf("rc-9")).contains(repository.revList("rc-9").get(0));
        assertThat(mirror.commitOf("feature/topic-1")).contains(repository.revList("feature/topic-1").get(0)); // the tag wins

        // upstream, a tag moves and two go (one of them the only way to two of the three released commits)
        String released = repository.revList("v9.9").get(0);
        repository.git("tag", "-f", "light", repository.tip("main"));
        repository.git("tag", "-d", "rc-9", "nested");
        Mirror refreshed = git.update(url("tagged"), dir).mirror();
        assertThat(refreshed.tags()).containsExactlyElementsOf(expectedTags(repository));
        assertThat(refreshed.commitOf("light")).contains(repository.tip("main"));
        List<String> stillFrom = refreshed.tags().stream().filter(Tag::onCommit).map(Tag::object).toList();
        List<String> removed = new ArrayList<>();
        refreshed.forEachRemovedCommit(tagCommits, stillFrom, removed::add);
        assertThat(removed).isEmpty(); // v9.9 still reaches every released commit
        repository.git("tag", "-d", "v9.9");
        Mirror pruned = git.update(url("tagged"), dir).mirror();
        List<String> gone = new ArrayList<>();
        pruned.forEachRemovedCommit(stillFrom, pruned.tags().stream().filter(Tag::onCommit).map(Tag::object).toList(), gone::add);
        assertThat(gone).hasSize(3).contains(released);
    }

    @Test
    void aLightweightTagOnATreeDoesNotStopTheFetchAndTheOtherTagsFollow() {
        ServedRepository repository = history("tree-tagged", 400);
        repository.tagEveryKind(true);
        Path dir = cache.resolve("m.git");

        Mirror mirror = git.update(url("tree-tagged"), dir).mirror(); // over HTTP git takes the tree itself

        assertThat(mirror.tags()).containsExactlyElementsOf(expectedTags(repository));
        assertThat(objectTypes(dir)).containsEntry("tree", 2L).containsEntry("blob", 1L); // the tagged ones, nothing under them
        assertThat(shas(mirror)).containsExactlyElementsOf(repository.revListBranches());

        // where git refuses it (over file://), the fetch goes around the lightweight tags: annotated ones and those on
        // commits the mirror holds follow upstream, lightweight ones on trees and blobs are left out
        repository.git("tag", "-f", "light", repository.tip("feature/topic-2"));
        repository.git("tag", "-d", "on-a-blob", "v2.0");
        repository.addCommits("main", 2);
        mirror.fetchAroundLightweightTags();
        List<Tag> expected = expectedTags(repository).stream().filter(tag -> !tag.name().equals("tree-light")).toList();
        assertThat(mirror.tags()).containsExactlyElementsOf(expected);
        assertThat(mirror.commitOf("light")).contains(repository.tip("feature/topic-2"));
        assertThat(mirror.commitOf("rc-9")).contains(repository.revList("rc-9").get(0));
        assertThat(mirror.branches()).contains(new Branch("main", repository.tip("main")));
    }

    /** The served repository's tags, peeled as {@link Mirror#tags} peels them, by name ({@code git for-each-ref}'s order). */
    private static List<Tag> expectedTags(ServedRepository repository) {
        List<Tag> tags = new ArrayList<>();
        for (String name : repository.git("for-each-ref", "--format=%(refname:strip=2)", "refs/tags/").split("\n")) {
            if (!name.isBlank()) {
                String peeled = repository.git("rev-parse", "refs/tags/" + name + "^{}").strip();
                tags.add(new Tag(name, peeled, repository.git("cat-file", "-t", peeled).strip()));
            }
        }
        return tags;
    }

    @Test
    void incrementalListingYieldsExactlyTheNewCommits() {
        ServedRepository repository = history("incremental", 1500);
        Path dir = cache.resolve("m.git");
        git.update(url("incremental"), dir);
        List<String> added = new ArrayList<>(repository.addCommits("main", 7));
        added.addAll(repository.addCommits("feature/topic-2", 3));
        added.addAll(repository.addCommits("brand-new", 2));

        MirrorUpdate update = git.update(url("incremental"), dir);
        List<String> listed = new ArrayList<>();
        update.mirror().forEachCommitSince(update.previousTips(), c -> listed.add(c.sha()));

        assertThat(update.cloned()).isFalse();
        assertThat(listed).containsExactlyInAnyOrderElementsOf(added);
        List<String> removed = new ArrayList<>();
        update.mirror().forEachRemovedCommit(update.previousTips(), removed::add);
        assertThat(removed).isEmpty();
        assertThat(new HashSet<>(shas(update.mirror()))).isEqualTo(new HashSet<>(repository.revListBranches()));
    }

    @Test
    void unchangedRepositoryListsNothingNew() {
        history("unchanged", 500);
        Path dir = cache.resolve("m.git");
        git.update(url("unchanged"), dir);

        MirrorUpdate update = git.update(url("unchanged"), dir);

        assertThat(update.unchanged()).isTrue();
        assertThat(update.mirror().forEachCommitSince(update.previousTips(), c -> true)).isZero();
    }

    @Test
    void forcePushAndDeletedBranchReportTheCommitsThatLeft() {
        ServedRepository repository = history("rewritten", 2000);
        String base = repository.tip("feature/topic-2");
        List<String> dropped = repository.addCommits("feature/topic-2", 5);
        List<String> doomed = repository.addCommits("doomed", 3, repository.tip("main"));
        Path dir = cache.resolve("m.git");
        git.update(url("rewritten"), dir);
        // force-push: topic-2 loses its last 5 commits and gets 4 others; "doomed" is deleted
        List<String> rewritten = repository.addCommits("feature/topic-2", 4, base);
        repository.deleteBranch("doomed");

        MirrorUpdate update = git.update(url("rewritten"), dir);
        List<String> removed = new ArrayList<>();
        update.mirror().forEachRemovedCommit(update.previousTips(), removed::add);
        List<String> added = new ArrayList<>();
        update.mirror().forEachCommitSince(update.previousTips(), c -> added.add(c.sha()));

        List<String> expectedRemoved = new ArrayList<>(dropped);
        expectedRemoved.addAll(doomed);
        assertThat(removed).containsExactlyInAnyOrderElementsOf(expectedRemoved);
        assertThat(added).containsExactlyInAnyOrderElementsOf(rewritten);
        assertThat(update.after()).extracting(Branch::name).doesNotContain("doomed");
        assertThat(new HashSet<>(shas(update.mirror()))).isEqualTo(new HashSet<>(repository.revListBranches()));
    }

    @Test
    void ownerAndRepoPathsAreServedWithAndWithoutDotGitAndInAnyCase() {
        ServedRepository repository = history("Spelling", 50);
        for (String spelling : List.of("acme/spelling", "ACME/Spelling.git")) {
            RepositoryUrl url = policy.parse(server.origin() + "/" + spelling);
            Mirror mirror = git.update(url, cache.resolve(spelling.replace('/', '_'))).mirror();
            assertThat(shas(mirror)).containsExactlyElementsOf(repository.revListBranches());
        }
    }

    @Test
    void everyCommandIsReportedToTheObserver() {
        history("observed", 20);
        List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        Git observed = new Git(GitSettings.defaults(policy.allowedOrigins())
                .withObserver((command, duration, outcome) -> seen.add(command + ":" + outcome)));

        observed.update(url("observed"), cache.resolve("m.git")).mirror().forEachCommit(c -> true);
        assertThatThrownBy(() -> observed.update(url("missing-one"), cache.resolve("x.git"))).isInstanceOf(GitException.class);

        assertThat(seen).contains("clone:ok", "for-each-ref:ok", "log:ok", "clone:REPOSITORY_NOT_FOUND");
    }

    @Test
    void emptyRepositoryIsAMirrorWithNoCommits() {
        server.repository("acme", "empty");
        MirrorUpdate update = git.update(url("empty"), cache.resolve("m.git"));
        assertThat(update.after()).isEmpty();
        assertThat(update.mirror().countCommits()).isZero();
        assertThat(shas(update.mirror())).isEmpty();
    }

    @Test
    void missingRepositoryFailsFastAsNotFound() {
        // a git that prompted or hung would end as TIMEOUT at this limit, not as REPOSITORY_NOT_FOUND
        Git patient = new Git(GitSettings.defaults(policy.allowedOrigins()).withCommandTimeout(Duration.ofSeconds(30)));
        assertThatThrownBy(() -> patient.update(url("does-not-exist"), cache.resolve("m.git")))
                .isInstanceOfSatisfying(GitException.class, e -> {
                    assertThat(e.reason()).isEqualTo(FailureReason.REPOSITORY_NOT_FOUND);
                    assertThat(e.retryable()).isFalse();
                    assertThat(e.getMessage()).contains("not found");
                });
        assertThat(cache.resolve("m.git")).doesNotExist();
        assertThat(cache).isEmptyDirectory();
    }

    @Test
    void privateRepositoryFailsAsAccessDeniedWithoutPrompting() {
        history("secret", 10);
        server.makePrivate("acme", "secret");
        // a git that asked for a password would wait for it and end as TIMEOUT at this limit
        Git patient = new Git(GitSettings.defaults(policy.allowedOrigins()).withCommandTimeout(Duration.ofSeconds(30)));
        assertThatThrownBy(() -> patient.update(url("secret"), cache.resolve("m.git")))
                .isInstanceOfSatisfying(GitException.class, e -> assertThat(e.reason()).isEqualTo(FailureReason.ACCESS_DENIED));
    }

    @Test
    void unreachableServerFailsAsUnreachable() throws Exception {
        int closedPort;
        try (var socket = new java.net.ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        // loopback is reached only through an origin marked internal
        RepositoryUrlPolicy notInternal = new RepositoryUrlPolicy(AllowedOrigins.parse("http://localhost:" + server.port()));
        Git gitToLoopback = new Git(GitSettings.defaults(notInternal.allowedOrigins()));
        assertThatThrownBy(() -> gitToLoopback.update(notInternal.parse("http://localhost:" + server.port() + "/acme/app"),
                cache.resolve("loopback.git"))).isInstanceOfSatisfying(GitException.class, e -> {
                    assertThat(e.reason()).isEqualTo(FailureReason.INVALID_URL);
                    assertThat(e.getMessage()).contains("localhost", "internal:http://localhost:" + server.port());
                });
        assertThat(cache.resolve("loopback.git")).doesNotExist();
        // marked internal, the name is resolved here and git is pinned to the address checked
        ServedRepository viaName = history("via-localhost", 30);
        RepositoryUrlPolicy internal = new RepositoryUrlPolicy(AllowedOrigins.parse("internal:http://localhost:" + server.port()));
        Mirror pinned = new Git(GitSettings.defaults(internal.allowedOrigins()))
                .update(internal.parse("http://localhost:" + server.port() + "/acme/via-localhost"), cache.resolve("pinned.git")).mirror();
        assertThat(pinned.branches()).hasSameSizeAs(viaName.branches().entrySet());
        RepositoryUrlPolicy closed = new RepositoryUrlPolicy(AllowedOrigins.parse("internal:http://127.0.0.1:" + closedPort));
        Git gitToClosedPort = new Git(GitSettings.defaults(closed.allowedOrigins()));
        assertThatThrownBy(() -> gitToClosedPort.update(closed.parse("http://127.0.0.1:" + closedPort + "/a/b"), cache.resolve("m.git")))
                .isInstanceOfSatisfying(GitException.class, e -> {
                    assertThat(e.reason()).isEqualTo(FailureReason.UNREACHABLE);
                    assertThat(e.retryable()).isTrue();
                });
    }

    @Test
    void aRateLimitedServerIsItsOwnRetryableReasonAndTheGoodMirrorIsKept() {
        history("limited", 40);
        Path dir = cache.resolve("limited.git");
        git.update(url("limited"), dir);
        server.rateLimit("acme", "limited", true);
        try {
            assertThatThrownBy(() -> git.update(url("limited"), dir)).isInstanceOfSatisfying(GitException.class, e -> {
                assertThat(e.reason()).isEqualTo(FailureReason.RATE_LIMITED);
                assertThat(e.retryable()).isTrue();
            });
            assertThat(git.open(url("limited"), dir).isUsable()).as("the mirror is still there").isTrue();
        } finally {
            server.rateLimit("acme", "limited", false);
        }
        assertThat(git.update(url("limited"), dir).cloned()).as("fetched, not cloned again").isFalse();
    }

    @Test
    void aCloneIsStoppedAtItsSizeBoundAndLeavesNothing() {
        history("big", 3000);
        Git bounded = new Git(GitSettings.defaults(policy.allowedOrigins()).withDisk(new GitSettings.DiskLimits(64 * 1024, 0)));
        assertThatThrownBy(() -> bounded.update(url("big"), cache.resolve("big.git"))).isInstanceOfSatisfying(GitException.class, e -> {
            assertThat(e.reason()).isEqualTo(FailureReason.TOO_LARGE);
            assertThat(e.retryable()).isFalse();
            assertThat(e.getMessage()).contains("the limit is 65536");
        });
        assertThat(cache).isEmptyDirectory();
    }

    @Test
    void withTooLittleFreeDiskACloneOrFetchStopsAsDiskFullAndTheGoodMirrorIsKept() {
        history("crowded", 40);
        Path dir = cache.resolve("crowded.git");
        git.update(url("crowded"), dir);
        Git starved = new Git(GitSettings.defaults(policy.allowedOrigins()).withDisk(new GitSettings.DiskLimits(Long.MAX_VALUE,
                Long.MAX_VALUE)));
        for (Path target : List.of(dir, cache.resolve("crowded-new.git"))) {
            assertThatThrownBy(() -> starved.update(url("crowded"), target)).as(target.toString())
                    .isInstanceOfSatisfying(GitException.class, e -> {
                        assertThat(e.reason()).isEqualTo(FailureReason.DISK_FULL);
                        assertThat(e.retryable()).isTrue();
                    });
        }
        assertThat(git.open(url("crowded"), dir).isUsable()).isTrue();
        assertThat(cache.resolve("crowded-new.git")).doesNotExist();
    }

    /** A real small file system: a 256 KiB tmpfs (mounting one needs root, as CI runs). */
    @Test
    void gitFillingASmallFileSystemIsDiskFullRetryableAndTheGoodMirrorIsKept() throws Exception {
        Path disk = Files.createTempDirectory("tiny-disk");
        Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", disk.toString())
                .redirectErrorStream(true).start();
        String mountOutput = new String(mount.getInputStream().readAllBytes());
        assertThat(mount.waitFor()).as("mounting a 256 KiB tmpfs needs root (CI runs as root): %s", mountOutput).isZero();
        try {
            ServedRepository growing = history("filling", 20);
            Path dir = disk.resolve("filling.git");
            git.update(url("filling"), dir);
            growing.addCommits("main", 20_000); // a treeless pack of well over the 256 KiB

            assertThatThrownBy(() -> git.update(url("filling"), dir)).isInstanceOfSatisfying(GitException.class, e -> {
                assertThat(e.reason()).isEqualTo(FailureReason.DISK_FULL);
                assertThat(e.retryable()).isTrue();
            });
            assertThat(git.open(url("filling"), dir).isUsable()).as("the mirror of before is kept").isTrue();
        } finally {
            new ProcessBuilder("umount", disk.toString()).start().waitFor();
            Files.deleteIfExists(disk);
        }
    }

    @Test
    void stalledServerTimesOutAtTheLimitAndLeavesNoProcessBehind() {
        history("stalled", 10);
        server.stall("acme", "stalled");
        Git impatient = new Git(GitSettings.defaults(policy.allowedOrigins()).withCommandTimeout(Duration.ofSeconds(2)));

        assertThatThrownBy(() -> impatient.update(url("stalled"), cache.resolve("m.git")))
                .isInstanceOfSatisfying(GitException.class, e -> {
                    assertThat(e.reason()).isEqualTo(FailureReason.TIMEOUT);
                    assertThat(e.getMessage()).contains("2 s"); // cut at its own limit
                });

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
                        .map(p -> p.info().commandLine().orElse("?"))
                        .filter(cmd -> cmd.contains("git")).toList()).isEmpty());
        assertThat(cache).isEmptyDirectory();
    }

    @Test
    void brokenMirrorIsDeletedAndClonedAgain() throws Exception {
        ServedRepository repository = history("broken", 200);
        Path dir = cache.resolve("m.git");
        git.update(url("broken"), dir);
        Files.delete(dir.resolve("HEAD"));

        MirrorUpdate update = git.update(url("broken"), dir);

        assertThat(update.cloned()).isTrue();
        assertThat(shas(update.mirror())).containsExactlyElementsOf(repository.revListBranches());
    }

    @Test
    void mirrorLeftLockedByAKilledFetchIsClonedAgain() throws Exception {
        ServedRepository repository = history("locked", 200);
        Path dir = cache.resolve("m.git");
        git.update(url("locked"), dir);
        repository.addCommits("main", 2);
        // what a git killed at its timeout leaves behind
        Files.writeString(dir.resolve("refs/heads/main.lock"), "");
        Files.writeString(dir.resolve("packed-refs.lock"), "");

        MirrorUpdate update = git.update(url("locked"), dir);

        assertThat(update.cloned()).isTrue();
        assertThat(shas(update.mirror())).containsExactlyElementsOf(repository.revListBranches());
    }

    @Test
    void hostileUrlsNeverReachAProcess() throws Exception {
        Path marker = cache.resolve("git-was-run");
        Path fakeGit = cache.resolve("fake-git");
        Files.writeString(fakeGit, "#!/bin/sh\ntouch '" + marker + "'\nexit 1\n");
        fakeGit.toFile().setExecutable(true);
        Git recording = new Git(GitSettings.defaults(policy.allowedOrigins()).withExecutable(fakeGit.toString()));
        int before = server.requestCount();

        for (String hostile : List.of("ext::sh -c touch% /tmp/pwned", "ext::sh%20-c%20id", "--upload-pack=touch /tmp/x",
                "-oProxyCommand=id", "file:///etc", "https://github.com@evil.com/a/b", "https://user:pw@github.com/a/b",
                "ssh://git@evil.com/a/b", "https://github.com/a/%2e%2e", "git@evil.com:a/b", server.origin() + "/a/..",
                "https://evil.com/github.com/a/b", "https://github.com/a/b\u0000")) {
            assertThatThrownBy(() -> recording.update(policy.parse(hostile), cache.resolve("m.git")))
                    .as(hostile).isInstanceOf(InvalidRepositoryUrlException.class);
        }

        assertThat(marker).doesNotExist();
        assertThat(server.requestCount()).isEqualTo(before);
        // the fake git does run for an accepted URL: the check above can fail
        assertThatThrownBy(() -> recording.update(url("anything"), cache.resolve("m.git"))).isInstanceOf(GitException.class);
        assertThat(marker).exists();
    }

    private static Map<String, Long> objectTypes(Path repository) {
        String out = GitCli.run(repository, "cat-file", "--batch-all-objects", "--batch-check=%(objecttype)");
        Map<String, Long> counts = new TreeMap<>();
        for (String type : out.split("\n")) {
            if (!type.isBlank()) {
                counts.merge(type.strip(), 1L, Long::sum);
            }
        }
        return counts;
    }
}
