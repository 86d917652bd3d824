package io.commitviewer.common.git;

import io.commitviewer.common.url.RepositoryUrl;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

/** A bare, treeless mirror of one repository's branches and tags. Not safe for concurrent use. */
public final class Mirror {

    private static final String REFS_HEADS = "refs/heads/";
    private static final String REFS_TAGS = "refs/tags/";
    /**
     * What a mirror holds: every branch and every tag, as they are upstream — forced, so that a
     * moved tag follows, and pruned, so that a deleted one goes (explicit refspecs: a mirror cloned
     * before it held tags fetches them too).
     */
    private static final List<String> REFSPECS = List.of("+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*");
    /** Annotated tags naming annotated tags are peeled this deep at most (a longer chain names no history). */
    private static final int MAX_TAG_CHAIN = 16;

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

    /**
     * Fetches new commits of every branch and tag, moves the refs that moved upstream and drops
     * those deleted there. A treeless fetch may not take a lightweight tag on a tree: git 2.39 over
     * {@code file://} finds the tree missing and refuses the whole fetch ("did not send all necessary
     * objects"; over HTTP it fetches that one tree); then the fetch is made again without the
     * lightweight tags, and those that name a commit the mirror holds are written locally
     * ({@link #fetchAroundLightweightTags}).
     */
    public void fetch() {
        fetch(true);
    }

    /**
     * {@link #fetch()}, or with {@code tags} false the branches alone ({@code +refs/heads/*}, tags
     * left as they are): what a listing of the branches needs, one negotiation less.
     */
    public void fetch(boolean tags) {
        if (!tags) {
            fetch(REFSPECS.subList(0, 1), List.of());
            return;
        }
        try {
            fetch(REFSPECS, List.of());
        } catch (GitException e) {
            if (e.reason() != FailureReason.GIT_ERROR || !(e.getMessage().contains("bad revision")
                    || e.getMessage().contains("did not send all necessary objects"))) {
                throw e;
            }
            fetchAroundLightweightTags();
        }
    }

    private void fetch(List<String> wanted, Collection<String> skippedTags) {
        List<String> args = new ArrayList<>(List.of("fetch", "--quiet", "--prune", "--no-tags", "--no-write-fetch-head",
                "--filter=tree:0"));
        byte[] refspecs = null;
        if (skippedTags.isEmpty()) {
            args.add("origin");
            args.addAll(wanted);
        } else { // negative refspecs, as many as there are tags: on stdin
            StringBuilder lines = new StringBuilder();
            wanted.forEach(refspec -> lines.append(refspec).append('\n'));
            skippedTags.forEach(name -> lines.append('^').append(REFS_TAGS).append(name).append('\n'));
            refspecs = lines.toString().getBytes(StandardCharsets.UTF_8);
            args.addAll(List.of("--stdin", "origin"));
        }
        process.runRemote(dir, url, args, refspecs, DiskGuard.forFetch(process.settings().disk(), dir));
    }

    /**
     * The fetch of a repository with a lightweight tag on a tree: the branches and annotated tags
     * (every lightweight tag left out, as the remote names them: {@code git ls-remote --tags}), then
     * each lightweight tag whose commit the mirror holds written as the remote has it, and the
     * others removed — a lightweight tag on a commit no branch or annotated tag reaches is then not
     * fetched (logged by the caller's count of tags; ADR 0011).
     */
    void fetchAroundLightweightTags() {
        Map<String, String> lightweight = new TreeMap<>();
        Set<String> annotated = new HashSet<>();
        String listed = process.runRemote(dir, url, List.of("ls-remote", "--tags", "origin"), null);
        for (String line : listed.split("\n")) {
            int tab = line.indexOf('\t');
            if (tab != 40 && tab != 64 || !line.startsWith(REFS_TAGS, tab + 1)) {
                continue;
            }
            String name = line.substring(tab + 1 + REFS_TAGS.length());
            if (name.endsWith("^{}")) {
                annotated.add(name.substring(0, name.length() - 3));
            } else if (RefNames.problemWith(name).isEmpty()) {
                lightweight.put(name, line.substring(0, tab));
            }
        }
        lightweight.keySet().removeAll(annotated);
        fetch(REFSPECS, lightweight.keySet());
        if (lightweight.isEmpty()) {
            return;
        }
        // rev-list names the commits among them the mirror holds, never fetching one it lacks
        Set<String> held = new HashSet<>(process.stream(dir, List.of("rev-list", "--no-walk", "--missing=allow-any",
                "--ignore-missing", "--stdin"), lines(new HashSet<>(lightweight.values()), ""), process.settings().commandTimeout(),
                out -> new String(out.readAllBytes(), StandardCharsets.US_ASCII).lines().toList()));
        StringBuilder updates = new StringBuilder();
        lightweight.forEach((name, sha) -> updates.append(held.contains(sha) ? "update " + REFS_TAGS + name + " " + sha
                : "delete " + REFS_TAGS + name).append('\n'));
        process.stream(dir, List.of("update-ref", "--stdin"), updates.toString().getBytes(StandardCharsets.UTF_8),
                process.settings().commandTimeout(), out -> out.readAllBytes());
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

    /**
     * Tags and the objects they name, annotated tags peeled, sorted by name. Only tag objects are
     * read (a tag's own header names its object's type), so a tag on a tree or blob the treeless
     * mirror lacks is named without fetching it.
     */
    public List<Tag> tags() {
        String out = process.run(dir, List.of("for-each-ref", "--format=%(objectname)%00%(objecttype)%00%(refname)", "--", REFS_TAGS));
        List<String[]> refs = new ArrayList<>();
        for (String line : out.split("\n")) {
            String[] fields = line.split("\0", 3);
            if (fields.length == 3 && fields[2].startsWith(REFS_TAGS)) {
                refs.add(new String[] {fields[2].substring(REFS_TAGS.length()), fields[0], fields[1]});
            }
        }
        // annotated tags: each level of the chain read at once, one cat-file for all the tags of that level
        for (int depth = 0; depth < MAX_TAG_CHAIN; depth++) {
            Set<String> unpeeled = new HashSet<>();
            refs.stream().filter(ref -> ref[2].equals("tag")).forEach(ref -> unpeeled.add(ref[1]));
            if (unpeeled.isEmpty()) {
                break;
            }
            Map<String, String[]> named = new HashMap<>();
            readHeaders(unpeeled, "tag").forEach((sha, lines) -> {
                if (lines.size() >= 2 && lines.get(0).startsWith("object ") && lines.get(1).startsWith("type ")) {
                    named.put(sha, new String[] {lines.get(0).substring(7), lines.get(1).substring(5)});
                }
            });
            for (String[] ref : refs) {
                String[] target = ref[2].equals("tag") ? named.get(ref[1]) : null;
                if (target != null) {
                    ref[1] = target[0];
                    ref[2] = target[1];
                } else if (ref[2].equals("tag")) {
                    ref[2] = "missing";
                }
            }
        }
        return refs.stream().map(ref -> new Tag(ref[0], ref[1], ref[2])).toList();
    }

    /**
     * The header lines (up to the first blank line, within the object's first 8 KiB) of each
     * object of {@code type} among {@code shas}, by sha: one {@code cat-file --batch}, only objects
     * the mirror holds (a tag's or a commit's header names other objects without reading them).
     */
    private Map<String, List<String>> readHeaders(Collection<String> shas, String type) {
        return process.stream(dir, List.of("cat-file", "--batch"), lines(shas, ""), process.settings().commandTimeout(), out -> {
            Map<String, List<String>> headers = new HashMap<>();
            java.io.DataInputStream in = new java.io.DataInputStream(new java.io.BufferedInputStream(out));
            for (String header; (header = readLine(in)) != null; ) {
                String[] parts = header.split(" ");
                if (parts.length != 3) {
                    continue; // "<sha> missing"
                }
                long size = Long.parseLong(parts[2]);
                byte[] content = new byte[(int) Math.min(size, 8192)];
                in.readFully(content);
                in.skipNBytes(size - content.length + 1); // the rest, and the newline after it
                if (parts[1].equals(type)) {
                    String text = new String(content, StandardCharsets.UTF_8);
                    int blank = text.indexOf("\n\n");
                    headers.put(parts[0], List.of((blank < 0 ? text : text.substring(0, blank)).split("\n")));
                }
            }
            return headers;
        });
    }

    private static String readLine(java.io.DataInputStream in) throws java.io.IOException {
        StringBuilder line = new StringBuilder();
        for (int c; (c = in.read()) != '\n'; ) {
            if (c < 0) {
                return line.isEmpty() ? null : line.toString();
            }
            line.append((char) c);
        }
        return line.toString();
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
        return log(LogFilter.ALL, List.of(), List.of(), sink);
    }

    /** Every commit reachable from any branch or from one of {@code alsoFrom} (tags' commits), newest first. */
    public long forEachCommit(Collection<String> alsoFrom, CommitSink sink) {
        return log(LogFilter.ALL, alsoFrom, List.of(), sink);
    }

    /** Streams the commits the filter selects, newest first (git's reverse chronological order), into {@code sink}. */
    public long forEachCommit(LogFilter filter, CommitSink sink) {
        return log(filter, List.of(), List.of(), sink);
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
        return forEachCommitSince(previousTips, List.of(), sink);
    }

    /** Streams the commits reachable from a branch or one of {@code alsoFrom} now but from none of {@code previousTips}. */
    public long forEachCommitSince(Collection<String> previousTips, Collection<String> alsoFrom, CommitSink sink) {
        return log(LogFilter.ALL, alsoFrom, previousTips, sink);
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
        return forEachRemovedCommit(previousTips, List.of(), sink);
    }

    /** As above, where what stays is what a branch or one of {@code stillFrom} (tags' commits) reaches. */
    public long forEachRemovedCommit(Collection<String> previousTips, Collection<String> stillFrom, Consumer<String> sink) {
        if (previousTips.isEmpty()) {
            return 0;
        }
        byte[] stdin = concat(lines(previousTips, ""), lines(stillFrom, "^"));
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

    /**
     * {@code git log} of what the filter selects and what {@code include} reaches, but what
     * {@code exclude} reaches (both read from stdin), parsed into {@code sink}.
     */
    private long log(LogFilter filter, Collection<String> include, Collection<String> exclude, CommitSink sink) {
        List<String> args = new ArrayList<>();
        args.add("log");
        args.addAll(GitLogParser.ARGUMENTS);
        byte[] stdin = null;
        if (!exclude.isEmpty() || !include.isEmpty()) {
            args.add("--ignore-missing");
            args.add("--stdin");
            stdin = concat(lines(include, ""), lines(exclude, "^"));
        }
        args.addAll(filter.arguments()); // the revisions last: after --end-of-options, when it names one
        int maxMessageBytes = process.settings().maxMessageBytes();
        CommitSink listed = withTrueParents(sink);
        return process.stream(dir, args, stdin, process.settings().commandTimeout(),
                out -> new GitLogParser(out, maxMessageBytes).parse(listed));
    }

    /**
     * In a shallow clone, git shows the boundary commits (those in {@code shallow}) without their
     * parents, which the clone lacks; their own headers name them: the sink gets the commits as they
     * are. A whole mirror has no boundary: the sink itself.
     */
    private CommitSink withTrueParents(CommitSink sink) {
        Path shallow = dir.resolve("shallow");
        if (!Files.isRegularFile(shallow)) {
            return sink;
        }
        Set<String> boundary;
        try {
            boundary = new HashSet<>(Files.readAllLines(shallow, StandardCharsets.US_ASCII).stream().map(String::strip)
                    .filter(line -> !line.isEmpty()).toList());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        Map<String, List<String>> headers = readHeaders(boundary, "commit");
        return commit -> {
            List<String> header = headers.get(commit.sha());
            if (header == null || !commit.parents().isEmpty()) {
                return sink.accept(commit);
            }
            List<String> parents = header.stream().filter(line -> line.startsWith("parent ")).map(line -> line.substring(7)).toList();
            Set<String> truncated = commit.truncated();
            if (parents.size() > GitLogParser.MAX_PARENTS) {
                parents = parents.subList(0, GitLogParser.MAX_PARENTS);
                truncated = new java.util.LinkedHashSet<>(truncated);
                truncated.add("parents");
            }
            return sink.accept(new GitCommit(commit.sha(), parents, commit.author(), commit.committer(), commit.message(), truncated,
                    commit.clamped()));
        };
    }

    private static byte[] concat(byte[] first, byte[] second) {
        byte[] both = java.util.Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, both, first.length, second.length);
        return both;
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
