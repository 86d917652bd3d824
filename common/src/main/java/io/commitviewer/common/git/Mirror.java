package io.commitviewer.common.git;

import io.commitviewer.common.url.RepositoryUrl;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/** A bare, treeless mirror of one repository's branches. Not safe for concurrent use. */
public final class Mirror {

    private static final String REFS_HEADS = "refs/heads/";

    private final GitProcess process;
    private final Path dir;
    private final RepositoryUrl url;

    Mirror(GitProcess process, Path dir, RepositoryUrl url) {
        this.process = process;
        this.dir = dir;
        this.url = url;
    }

    public Path dir() {
        return dir;
    }

    public RepositoryUrl url() {
        return url;
    }

    /**
     * True if the folder is a bare repository (HEAD and objects at its top) cloned from this
     * mirror's URL. One git process: this runs before every refresh.
     */
    boolean isUsable() {
        if (!Files.isRegularFile(dir.resolve("HEAD")) || !Files.isDirectory(dir.resolve("objects"))) {
            return false;
        }
        try {
            return process.run(dir, List.of("config", "--get", "remote.origin.url")).strip().equals(url.cloneUrl());
        } catch (GitException e) {
            return false;
        }
    }

    /** Fetches new commits of every branch and drops branches deleted upstream. */
    public void fetch() {
        process.runRemote(dir, url, List.of("fetch", "--quiet", "--prune", "--no-tags", "--no-write-fetch-head",
                "--filter=tree:0", "origin"), DiskGuard.forFetch(process.settings().disk(), dir));
    }

    /** The mirror's packs, largest first, and what a repack of them would keep. */
    public record Packs(List<Path> packs, List<Path> kept) {
        public int count() {
            return packs.size();
        }
    }

    /**
     * The mirror's packs and the geometric split of them: from the largest down, a pack at least
     * twice the size of all smaller ones together is kept, and every pack from the first that is
     * not would be written into one. Kept this way, the packs number about log2 of the mirror's size
     * and each byte is rewritten a logarithmic number of times over the mirror's life.
     */
    public Packs packs() {
        List<Path> packs = new ArrayList<>();
        try (var listed = Files.list(dir.resolve("objects").resolve("pack"))) {
            listed.filter(path -> path.getFileName().toString().endsWith(".pack")).forEach(packs::add);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        long[] sizes = new long[packs.size()];
        for (int i = 0; i < sizes.length; i++) {
            sizes[i] = FileTrees.size(packs.get(i));
        }
        Integer[] order = new Integer[sizes.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> Long.compare(sizes[b], sizes[a]));
        List<Path> sorted = new ArrayList<>(order.length);
        long[] descending = new long[order.length];
        for (int i = 0; i < order.length; i++) {
            sorted.add(packs.get(order[i]));
            descending[i] = sizes[order[i]];
        }
        return new Packs(List.copyOf(sorted), List.copyOf(sorted.subList(0, keptGeometrically(descending))));
    }

    /** How many of the largest packs (sizes in descending order) a geometric repack keeps. */
    static int keptGeometrically(long[] descending) {
        long smaller = 0;
        for (long size : descending) {
            smaller += size;
        }
        int kept = 0;
        for (long size : descending) {
            smaller -= size;
            if (size < 2 * smaller) {
                break;
            }
            kept++;
        }
        return kept;
    }

    /**
     * Combines the mirror's packs geometrically ({@link #packs()}) once there are more than
     * {@code maxPacks}: each fetch adds a pack, and every read of the history looks in each. The
     * packs not kept are written into one, promisor objects staying promisor objects
     * ({@code git repack -a -d -l --keep-pack=…}; {@code git repack --geometric} refuses a partial
     * clone's packs in git 2.39: "cannot use internal rev list with --stdin-packs"). Nothing is
     * done at or under the bound, nor when the packs already form a geometric series.
     */
    public Repack repack(int maxPacks) {
        Packs before = packs();
        if (before.count() <= maxPacks || before.kept().size() >= before.count() - 1) {
            return new Repack(before.count(), before.count()); // few packs, or already a geometric series
        }
        List<String> args = new ArrayList<>(List.of("repack", "-a", "-d", "-l", "-q"));
        for (Path kept : before.kept()) {
            args.add("--keep-pack=" + kept.getFileName());
        }
        process.run(dir, args);
        return new Repack(before.count(), packs().count());
    }

    /** The packs a {@link #repack} found and left. */
    public record Repack(int before, int after) {
        public boolean done() {
            return after != before;
        }
    }

    /** Branches and their tips, sorted by name. */
    public List<Branch> branches() {
        String out = process.run(dir, List.of("for-each-ref", "--format=%(objectname)%00%(refname)", "--", REFS_HEADS));
        List<Branch> branches = new ArrayList<>();
        for (String line : out.split("\n")) {
            int nul = line.indexOf('\0');
            if (nul > 0 && line.startsWith(REFS_HEADS, nul + 1)) {
                branches.add(new Branch(line.substring(nul + 1 + REFS_HEADS.length()), line.substring(0, nul)));
            }
        }
        return branches;
    }

    /** Number of commits reachable from any branch. */
    public long countCommits() {
        String out = process.run(dir, List.of("rev-list", "--count", "--branches")).strip();
        return out.isEmpty() ? 0 : Long.parseLong(out);
    }

    /**
     * Streams every commit reachable from any branch, newest first (git's reverse chronological
     * order), into {@code sink}. Returns the number of commits the sink accepted.
     */
    public long forEachCommit(CommitSink sink) {
        return log(LogFilter.ALL, List.of(), sink);
    }

    /** Streams the commits the filter selects, newest first (git's reverse chronological order), into {@code sink}. */
    public long forEachCommit(LogFilter filter, CommitSink sink) {
        return log(filter, List.of(), sink);
    }

    /**
     * The commit a ref or a sha (full or short) names in this mirror, as git reads it
     * ({@code git rev-parse --verify REF^{commit}}), or empty when it names none, or several.
     */
    public Optional<String> commitOf(String ref) {
        if (RefNames.problemWith(ref).isPresent()) {
            return Optional.empty();
        }
        try {
            String sha = process.run(dir, List.of("rev-parse", "--verify", "--quiet", "--end-of-options", ref + "^{commit}")).strip();
            return sha.isEmpty() ? Optional.empty() : Optional.of(sha);
        } catch (GitException e) {
            if (e.reason() == FailureReason.GIT_ERROR) {
                return Optional.empty(); // --quiet: no such commit is an exit status, nothing said
            }
            throw e;
        }
    }

    /** Streams only the commits reachable from a branch now but from none of {@code previousTips}. */
    public long forEachCommitSince(Collection<String> previousTips, CommitSink sink) {
        return log(LogFilter.ALL, previousTips, sink);
    }

    /**
     * The shas among {@code shas} this mirror does not hold: tips served from a mirror of another
     * instance, which this one never fetched (its project's shard came back to it after upstream
     * moved on). Asked locally, never from the remote.
     */
    public List<String> missing(Collection<String> shas) {
        if (shas.isEmpty()) {
            return List.of();
        }
        return process.stream(dir, List.of("cat-file", "--batch-check"), lines(shas, ""), process.settings().commandTimeout(), out -> {
            List<String> missing = new ArrayList<>();
            BufferedReader reader = new BufferedReader(new InputStreamReader(out, StandardCharsets.US_ASCII));
            for (String line; (line = reader.readLine()) != null; ) {
                if (line.endsWith(" missing")) {
                    missing.add(line.substring(0, line.indexOf(' ')));
                }
            }
            return missing;
        });
    }

    /**
     * Reports the commits reachable from {@code previousTips} but from no branch now: those that
     * left after a force-push or a deleted branch. Tips git no longer has are ignored.
     */
    public long forEachRemovedCommit(Collection<String> previousTips, Consumer<String> sink) {
        if (previousTips.isEmpty()) {
            return 0;
        }
        byte[] stdin = lines(previousTips, "");
        return process.stream(dir, List.of("rev-list", "--ignore-missing", "--stdin", "--not", "--branches"), stdin,
                process.settings().commandTimeout(), out -> {
                    long count = 0;
                    BufferedReader reader = new BufferedReader(new InputStreamReader(out, StandardCharsets.US_ASCII));
                    String line;
                    while ((line = reader.readLine()) != null) {
                        if (!line.isEmpty()) {
                            sink.accept(line);
                            count++;
                        }
                    }
                    return count;
                });
    }

    /** {@code git log} of what the filter selects, but what {@code exclude} reaches (read from stdin), parsed into {@code sink}. */
    private long log(LogFilter filter, Collection<String> exclude, CommitSink sink) {
        List<String> args = new ArrayList<>();
        args.add("log");
        args.addAll(GitLogParser.ARGUMENTS);
        byte[] stdin = null;
        if (!exclude.isEmpty()) {
            args.add("--ignore-missing");
            args.add("--stdin");
            stdin = lines(exclude, "^");
        }
        args.addAll(filter.arguments()); // the revisions last: after --end-of-options, when it names one
        int maxMessageBytes = process.settings().maxMessageBytes();
        return process.stream(dir, args, stdin, process.settings().commandTimeout(),
                out -> new GitLogParser(out, maxMessageBytes).parse(sink));
    }

    private static byte[] lines(Collection<String> shas, String prefix) {
        StringBuilder text = new StringBuilder(shas.size() * 42);
        for (String sha : shas) {
            if (!sha.matches("[0-9a-f]{40}([0-9a-f]{24})?")) {
                throw new IllegalArgumentException("not an object id: " + sha);
            }
            text.append(prefix).append(sha).append('\n');
        }
        return text.toString().getBytes(StandardCharsets.US_ASCII);
    }
}
