import io.commitviewer.common.git.Git;
import io.commitviewer.common.git.GitSettings;
import io.commitviewer.common.git.Mirror;
import io.commitviewer.common.git.MirrorUpdate;
import io.commitviewer.common.url.AllowedOrigins;
import io.commitviewer.common.url.RepositoryUrl;
import io.commitviewer.common.url.RepositoryUrlPolicy;
import io.commitviewer.testsupport.GitHttpServer;
import io.commitviewer.testsupport.ServedRepository;
import io.commitviewer.testsupport.SyntheticHistory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One mirror refreshed many times, one new commit upstream each time, through commit-service's own
 * git code (common's Git and Mirror, over loopback smart HTTP): the time of each fetch, of the
 * incremental log a refresh runs, and every {@code every} refreshes of a full log of the history,
 * with the mirror's packs; with upkeep ({@code maxPacks} > 0: Mirror.repack after each refresh, as
 * MirrorCache does) or without (0: what every mirror did before issue 24).
 *
 *   java -cp common/target/classes:test-support/target/classes bench/MirrorRefreshes.java REFRESHES COMMITS MAXPACKS [EVERY]
 */
public class MirrorRefreshes {

    public static void main(String[] args) throws Exception {
        int refreshes = Integer.parseInt(args[0]);
        int commits = Integer.parseInt(args[1]);
        int maxPacks = Integer.parseInt(args[2]);
        int every = args.length > 3 ? Integer.parseInt(args[3]) : 100;
        Path work = Files.createTempDirectory("mirror-refreshes");
        try (GitHttpServer server = GitHttpServer.start(work.resolve("served"))) {
            ServedRepository repository = server.repository("bench", "refreshes");
            repository.load(SyntheticHistory.builder().commits(commits).branches(4).build());
            RepositoryUrlPolicy policy = new RepositoryUrlPolicy(AllowedOrigins.parse(server.allowedOrigin()));
            Git git = new Git(GitSettings.defaults(policy.allowedOrigins()));
            RepositoryUrl url = policy.parse(server.url("bench", "refreshes"));
            Path dir = work.resolve("mirror.git");
            git.update(url, dir);
            System.out.printf("refreshes %d of a %d-commit mirror, max-packs %s%n", refreshes, commits, maxPacks > 0 ? maxPacks : "off");
            System.out.println("| refreshes | fetch ms (mean of the last " + every + ") | incremental log ms (mean) | repack ms (mean) "
                    + "| full log ms | packs | files in the mirror |");
            System.out.println("|---|---|---|---|---|---|---|");
            double fetchMs = 0;
            double logMs = 0;
            double repackMs = 0;
            for (int refresh = 1; refresh <= refreshes; refresh++) {
                repository.addCommits("main", 1);
                long start = System.nanoTime();
                MirrorUpdate update = git.update(url, dir);
                long fetched = System.nanoTime();
                update.mirror().forEachCommitSince(update.previousTips(), commit -> true);
                long logged = System.nanoTime();
                if (maxPacks > 0) {
                    update.mirror().repack(maxPacks);
                }
                long repacked = System.nanoTime();
                fetchMs += (fetched - start) / 1e6;
                logMs += (logged - fetched) / 1e6;
                repackMs += (repacked - logged) / 1e6;
                if (refresh % every == 0) {
                    Mirror mirror = update.mirror();
                    long fullStart = System.nanoTime();
                    long listed = mirror.forEachCommit(commit -> true);
                    double fullMs = (System.nanoTime() - fullStart) / 1e6;
                    long files;
                    try (var walk = Files.walk(dir)) {
                        files = walk.filter(Files::isRegularFile).count();
                    }
                    System.out.printf("| %d | %.1f | %.1f | %.1f | %.0f (%d commits) | %d | %d |%n", refresh, fetchMs / every,
                            logMs / every, repackMs / every, fullMs, listed, mirror.packs().count(), files);
                    fetchMs = 0;
                    logMs = 0;
                    repackMs = 0;
                }
            }
        } finally {
            io.commitviewer.common.git.FileTrees.deleteQuietly(work);
        }
    }
}
