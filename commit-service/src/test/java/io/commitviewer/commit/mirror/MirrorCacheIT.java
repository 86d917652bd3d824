package io.commitviewer.commit.mirror;

import static org.assertj.core.api.Assertions.assertThat;

import io.commitviewer.common.git.FileTrees;
import io.commitviewer.common.git.Git;
import io.commitviewer.common.git.GitSettings;
import io.commitviewer.common.url.AllowedOrigins;
import io.commitviewer.common.url.RepositoryUrl;
import io.commitviewer.common.url.RepositoryUrlPolicy;
import io.commitviewer.testsupport.GitHttpServer;
import io.commitviewer.testsupport.SyntheticHistory;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The mirror cache against real git on a loopback server: bounded, least recently used first, never one in use. */
class MirrorCacheIT {

    @TempDir
    Path served;

    @TempDir
    Path cacheDir;

    GitHttpServer server;
    RepositoryUrlPolicy policy;
    Git git;
    SimpleMeterRegistry meters = new SimpleMeterRegistry();

    @BeforeEach
    void start() {
        server = GitHttpServer.start(served);
        policy = new RepositoryUrlPolicy(AllowedOrigins.parse(server.allowedOrigin()));
        git = new Git(GitSettings.defaults(policy.allowedOrigins()));
        for (String name : new String[] {"one", "two", "three"}) {
            server.repository("acme", name).load(SyntheticHistory.builder().commits(400).build());
        }
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private RepositoryUrl url(String name) {
        return policy.parse(server.url("acme", name));
    }

    @Test
    void evictsTheLeastRecentlyUsedMirrorsToStayUnderTheBound() throws Exception {
        MirrorCache unbounded = new MirrorCache(git, cacheDir, Long.MAX_VALUE, 16, meters);
        unbounded.withMirror(url("one"), update -> update.mirror().countCommits());
        long oneMirror = FileTrees.size(unbounded.dirOf(url("one")));
        // room for two mirrors, not three
        MirrorCache cache = new MirrorCache(git, cacheDir, oneMirror * 2 + oneMirror / 2, 16, meters);

        cache.withMirror(url("two"), update -> update.mirror().countCommits());
        cache.withMirror(url("one"), update -> update.mirror().countCommits()); // one is used again: two is now the oldest
        cache.withMirror(url("three"), update -> update.mirror().countCommits());

        assertThat(cache.dirOf(url("two"))).doesNotExist();
        assertThat(cache.dirOf(url("one"))).isDirectory();
        assertThat(cache.dirOf(url("three"))).isDirectory();
        assertThat(meters.get("commitviewer.mirror.cache.evictions").counter().count()).isEqualTo(1);
        assertThat(meters.get("commitviewer.mirror.cache.size").gauge().value()).isLessThanOrEqualTo(oneMirror * 2 + oneMirror / 2);
    }

    @Test
    void neverEvictsAMirrorInUse() throws Exception {
        MirrorCache cache = new MirrorCache(git, cacheDir, 1, 16, meters); // everything is over the bound
        CountDownLatch inUse = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread user = new Thread(() -> cache.withMirror(url("one"), update -> {
            inUse.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return null;
        }));
        user.start();
        assertThat(inUse.await(30, TimeUnit.SECONDS)).isTrue();

        cache.withMirror(url("two"), update -> update.mirror().countCommits());

        assertThat(cache.dirOf(url("one"))).isDirectory();
        assertThat(cache.dirOf(url("two"))).doesNotExist();
        release.countDown();
        user.join(30_000);
        assertThat(cache.dirOf(url("one"))).doesNotExist();
    }

    @Test
    void removesClonesAbandonedByAKilledProcessAtStartUp() throws Exception {
        Path abandoned = Files.createDirectories(cacheDir.resolve("127.0.0.1_1/acme/one.git.cloning-4242-99"));
        Files.writeString(abandoned.resolve("packed-refs"), "x".repeat(10_000));

        MirrorCache cache = new MirrorCache(git, cacheDir, Long.MAX_VALUE, 16, meters);

        assertThat(abandoned).doesNotExist();
        assertThat(meters.get("commitviewer.mirror.cache.size").gauge().value()).isZero();
        cache.withMirror(url("one"), update -> update.mirror().countCommits());
        assertThat(cache.dirOf(url("one"))).isDirectory();
    }

    @Test
    void deletesAMirror() {
        MirrorCache cache = new MirrorCache(git, cacheDir, Long.MAX_VALUE, 16, meters);
        cache.withMirror(url("one"), update -> update.mirror().countCommits());
        assertThat(Files.isDirectory(cache.dirOf(url("one")))).isTrue();

        cache.delete(url("one"));

        assertThat(cache.dirOf(url("one"))).doesNotExist();
    }

    /**
     * Issue 24, finding 3: each refresh adds a pack to a partial clone, and a busy mirror is never
     * evicted; with upkeep its packs stay at most {@code max-packs} (combined geometrically, still
     * promisor packs), every commit still listed, and the cache's size is the mirror's on disk.
     */
    @Test
    void aMirrorRefreshedManyTimesKeepsItsPacksBoundedAndEveryCommit() throws Exception {
        MirrorCache cache = new MirrorCache(git, cacheDir, Long.MAX_VALUE, 4, meters);
        var repository = server.repository("acme", "one");
        long commits = 0;
        for (int refresh = 0; refresh < 12; refresh++) {
            repository.addCommits("main", 3);
            commits = cache.withMirror(url("one"), update -> update.mirror().countCommits());
            cache.awaitUpkeep();
        }

        Path packs = cache.dirOf(url("one")).resolve("objects/pack");
        try (var listed = Files.list(packs)) {
            assertThat(listed.filter(path -> path.toString().endsWith(".pack")).count()).isBetween(1L, 4L);
        }
        try (var listed = Files.list(packs)) {
            assertThat(listed.filter(path -> path.toString().endsWith(".promisor")).count()).as("still a partial clone's packs")
                    .isPositive();
        }
        assertThat(commits).isEqualTo(repository.revListBranches().size());
        assertThat(meters.get("commitviewer.mirror.repacks").counter().count()).isPositive();
        assertThat(meters.get("commitviewer.mirror.cache.size").gauge().value()).isEqualTo((double) FileTrees.size(cacheDir));
    }
}
