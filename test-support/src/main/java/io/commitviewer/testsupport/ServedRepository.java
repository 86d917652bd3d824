package io.commitviewer.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A bare repository on the fixture server, with the edits tests need: push, force-push, delete. */
public final class ServedRepository {

    private final Path dir;

    private ServedRepository(Path dir) {
        this.dir = dir;
    }

    /** Opens the bare repository at {@code dir}, creating it (default branch {@code main}) if missing. */
    public static ServedRepository init(Path dir) {
        if (!Files.isDirectory(dir.resolve("objects"))) {
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            GitCli.run(dir, "init", "--quiet", "--bare", "--initial-branch=main");
        }
        return new ServedRepository(dir);
    }

    public Path dir() {
        return dir;
    }

    /** Runs git in this repository. */
    public String git(String... args) {
        return GitCli.run(dir, args);
    }

    /** Fills the repository with a synthetic history. */
    public SyntheticHistory.Summary load(SyntheticHistory history) {
        return history.writeTo(dir);
    }

    /**
     * Adds {@code count} commits on top of {@code branch} (creating it as a new root if absent)
     * and returns their shas, newest first.
     */
    public List<String> addCommits(String branch, int count) {
        return addCommits(branch, count, null);
    }

    /** Adds commits on top of {@code base} (a sha) and points {@code branch} at the last one. */
    public List<String> addCommits(String branch, int count, String base) {
        String from = base != null ? base : tip(branch);
        String newest = branches().isEmpty() ? "" : git("log", "-1", "--format=%ct", "--branches").strip();
        long now = newest.isEmpty() ? 1_700_000_000L : Long.parseLong(newest);
        StringBuilder stream = new StringBuilder();
        String token = Long.toHexString(System.nanoTime());
        for (int i = 0; i < count; i++) {
            long when = now + 60L * (i + 1);
            String message = "Add change " + (i + 1) + " of " + count + " on " + branch + " (" + token + ")\n";
            stream.append("commit refs/heads/").append(branch).append('\n')
                    .append("mark :").append(i + 1).append('\n')
                    .append("author Fixture <fixture@example.com> ").append(when).append(" +0000\n")
                    .append("committer Fixture <fixture@example.com> ").append(when).append(" +0000\n")
                    .append("data ").append(message.getBytes(StandardCharsets.UTF_8).length).append('\n')
                    .append(message);
            if (i == 0 && from != null) {
                stream.append("from ").append(from).append('\n');
            }
            stream.append("M 644 inline change-").append(token).append(".txt\n");
            String content = "change " + (i + 1) + "\n";
            stream.append("data ").append(content.length()).append('\n').append(content).append('\n');
        }
        stream.append("done\n");
        GitCli.run(dir, stream.toString().getBytes(StandardCharsets.UTF_8),
                List.of("fast-import", "--quiet", "--done", "--force"));
        return revList("refs/heads/" + branch).subList(0, count);
    }

    /**
     * Adds a tag of every kind on top of what the repository has (issue 25's hostile cases), and
     * returns their names: {@code light} (lightweight, on main); {@code v9.9} (annotated) and
     * {@code rc-9} (lightweight) on commits of a branch since deleted, which only they reach;
     * {@code nested} (annotated, on {@code v9.9}'s tag object); {@code on-a-tree} (annotated, on a
     * tree) and {@code on-a-blob} (lightweight, on a blob), which name no history;
     * {@code feature/topic-1}, a tag named as a branch ({@code git log feature/topic-1} reads the
     * tag); and, when asked, {@code tree-light}, a lightweight tag on a tree — the one ref a treeless
     * fetch cannot take.
     */
    public List<String> tagEveryKind(boolean lightweightOnATree) {
        List<String> main = revList("refs/heads/main");
        git("tag", "light", main.get(10));
        List<String> released = addCommits("release/9", 3, main.get(20));
        git("tag", "-a", "-m", "Release 9.9", "v9.9", released.get(0));
        git("tag", "rc-9", released.get(1));
        deleteBranch("release/9");
        git("-c", "advice.nestedTag=false", "tag", "-a", "-m", "Tagged again", "nested", "v9.9");
        git("tag", "-a", "-m", "A snapshot", "on-a-tree", main.get(0) + "^{tree}");
        String blob = git("ls-tree", "-r", "--format=%(objectname)", main.get(0)).lines().findFirst().orElseThrow().strip();
        git("tag", "on-a-blob", blob);
        git("tag", "feature/topic-1", main.get(30));
        List<String> names = new ArrayList<>(List.of("light", "v9.9", "rc-9", "nested", "on-a-tree", "on-a-blob", "feature/topic-1"));
        if (lightweightOnATree) {
            git("tag", "tree-light", main.get(1) + "^{tree}");
            names.add("tree-light");
        }
        return names;
    }

    /** Points {@code branch} at {@code sha}, whatever it pointed at before (a force-push). */
    public void forcePush(String branch, String sha) {
        git("update-ref", "refs/heads/" + branch, sha);
    }

    public void deleteBranch(String branch) {
        git("update-ref", "-d", "refs/heads/" + branch);
    }

    /** The branch's tip, or {@code null} if there is no such branch. */
    public String tip(String branch) {
        String out = git("for-each-ref", "--format=%(objectname)", "refs/heads/" + branch).strip();
        return out.isEmpty() ? null : out;
    }

    /** Branch name to tip. */
    public Map<String, String> branches() {
        Map<String, String> branches = new LinkedHashMap<>();
        for (String line : lines(git("for-each-ref", "--format=%(refname:strip=2) %(objectname)", "refs/heads/"))) {
            int space = line.lastIndexOf(' ');
            branches.put(line.substring(0, space), line.substring(space + 1));
        }
        return branches;
    }

    /** {@code git rev-list --branches}: every commit on a branch, in git's order. */
    public List<String> revListBranches() {
        return lines(git("rev-list", "--branches"));
    }

    /** {@code git rev-list} of the given revisions and options. */
    public List<String> revList(String... revisions) {
        List<String> args = new ArrayList<>(List.of("rev-list"));
        args.addAll(Arrays.asList(revisions));
        return lines(GitCli.run(dir, args.toArray(String[]::new)));
    }

    private static List<String> lines(String text) {
        List<String> lines = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (!line.isBlank()) {
                lines.add(line.strip());
            }
        }
        return lines;
    }
}
