package io.commitviewer.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Repositories crafted to hurt a reader of git histories, written without network: commit
 * objects straight through {@code git hash-object --literally} (which takes what {@code git
 * commit} or fsck would refuse), histories through {@code fast-import}, refs through
 * {@code packed-refs}. Each case leaves {@code main} at the crafted commit unless it says otherwise.
 */
public final class HostileRepositories {

    /** One crafted repository. */
    public enum Case {
        /** Author and committer names and emails of megabytes. */
        HUGE_IDENTITIES,
        /** A merge of 100,000 parents (on 100,000 commits in a line). */
        OCTOPUS_100K_PARENTS,
        /** Dates at year 0, year 9999, 9000000000000000000, beyond a long, impossible or extreme time zones, one git cannot print as ISO. */
        EXTREME_DATES,
        /** Names and a message that are not UTF-8, and a NUL inside the message. */
        INVALID_UTF8_AND_NUL,
        /** An {@code encoding} header: ISO-8859-1 (git re-encodes it) and one that does not exist. */
        ENCODING_HEADERS,
        /** A 10 MiB message. */
        HUGE_MESSAGE,
        /** A signed commit's {@code gpgsig} header and a merge tag header. */
        SIGNATURE_HEADERS,
        /** 100,000 branches. */
        BRANCHES_100K,
        /** 10,000 tags. */
        TAGS_10K,
        /** A replace ref that would show another commit in place of the tip's parent. */
        REPLACE_REF,
        /** A commit-graph file whose parents and dates are wrong. */
        COMMIT_GRAPH_LIE
    }

    private static final String FIXED = "1700000000 +0000";

    private HostileRepositories() {
    }

    /** Writes {@code hostile} into the (new, empty) bare repository. */
    public static void write(Case hostile, ServedRepository repository) {
        Path dir = repository.dir();
        String tree = emptyTree(dir);
        switch (hostile) {
            case HUGE_IDENTITIES -> {
                String name = "é".repeat(2 << 20);
                String email = "x".repeat(3 << 20) + "@example.com";
                main(dir, commit(dir, tree, List.of(), utf8("big people\n"), person("author", name, email, FIXED),
                        person("committer", name, email, FIXED)));
            }
            case OCTOPUS_100K_PARENTS -> {
                String line = line(dir, "refs/heads/line", 100_000);
                List<String> parents = List.of(GitCli.run(dir, "rev-list", line).strip().split("\n"));
                main(dir, commit(dir, tree, parents, utf8("merge everything\n"), person("author", "Octo", "octo@example.com", FIXED),
                        person("committer", "Octo", "octo@example.com", FIXED)));
                GitCli.run(dir, "update-ref", "-d", "refs/heads/line");
            }
            case EXTREME_DATES -> {
                String parent = null;
                for (String date : EXTREME_DATES) {
                    parent = commit(dir, tree, parent == null ? List.of() : List.of(parent), utf8("at " + date + "\n"),
                            person("author", "Time", "time@example.com", date), person("committer", "Time", "time@example.com", date));
                }
                main(dir, parent);
            }
            case INVALID_UTF8_AND_NUL -> main(dir, commit(dir, tree, List.of(),
                    new byte[] {'b', 'e', 'f', 'o', 'r', 'e', 0, 'a', 'f', 't', 'e', 'r', ' ', (byte) 0xc3, '(', '\n'},
                    concat(utf8("author A"), new byte[] {(byte) 0xff, (byte) 0xfe}, utf8("Z <bad@example.com> " + FIXED + "\n")),
                    person("committer", "C", "c@example.com", FIXED)));
            case ENCODING_HEADERS -> {
                String latin = commit(dir, tree, List.of(), concat(utf8("caf"), new byte[] {(byte) 0xe9}, utf8("\n")),
                        concat(utf8("author Jos"), new byte[] {(byte) 0xe9}, utf8(" <jose@example.com> " + FIXED + "\n")),
                        person("committer", "B", "b@example.com", FIXED), utf8("encoding ISO-8859-1\n"));
                main(dir, commit(dir, tree, List.of(latin), utf8("bogus encoding\n"), person("author", "B", "b@example.com", FIXED),
                        person("committer", "B", "b@example.com", FIXED), utf8("encoding x-no-such-encoding\n")));
            }
            case HUGE_MESSAGE -> main(dir, commit(dir, tree, List.of(), utf8("long\n\n" + "0123456789abcdef".repeat(10 << 16)),
                    person("author", "M", "m@example.com", FIXED), person("committer", "M", "m@example.com", FIXED)));
            case SIGNATURE_HEADERS -> {
                String root = commit(dir, tree, List.of(), utf8("signed\n"), person("author", "S", "s@example.com", FIXED),
                        person("committer", "S", "s@example.com", FIXED),
                        utf8("gpgsig -----BEGIN PGP SIGNATURE-----\n \n iQEzBAABCAAdFiEE\n -----END PGP SIGNATURE-----\n"));
                main(dir, commit(dir, tree, List.of(root), utf8("merge tag\n"), person("author", "S", "s@example.com", FIXED),
                        person("committer", "S", "s@example.com", FIXED),
                        utf8("mergetag object " + root + "\n type commit\n tag v1\n tagger S <s@example.com> " + FIXED + "\n \n tag\n")));
            }
            case BRANCHES_100K -> refs(dir, "refs/heads/branch-", 100_000, line(dir, "refs/heads/main", 3));
            case TAGS_10K -> refs(dir, "refs/tags/v", 10_000, line(dir, "refs/heads/main", 3));
            case REPLACE_REF -> {
                String tip = line(dir, "refs/heads/main", 3);
                String parent = GitCli.run(dir, "rev-parse", tip + "^").strip();
                String impostor = commit(dir, tree, List.of(), utf8("not the real parent\n"),
                        person("author", "Impostor", "impostor@example.com", FIXED),
                        person("committer", "Impostor", "impostor@example.com", FIXED));
                GitCli.run(dir, "update-ref", "refs/replace/" + parent, impostor);
            }
            case COMMIT_GRAPH_LIE -> {
                line(dir, "refs/heads/main", 50);
                GitCli.run(dir, "commit-graph", "write", "--reachable");
                Path graph = dir.resolve("objects/info/commit-graph");
                try {
                    byte[] bytes = Files.readAllBytes(graph);
                    // everything after the header and the chunk table, but the trailing checksum, turned
                    // around: parents point elsewhere, generations and dates are nonsense
                    for (int i = 8 + 12 * 6; i < bytes.length - 20; i++) {
                        bytes[i] = (byte) ~bytes[i];
                    }
                    graph.toFile().setWritable(true);
                    Files.write(graph, bytes);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            default -> throw new IllegalArgumentException(hostile.name());
        }
    }

    /** The dates of {@link Case#EXTREME_DATES}, oldest commit first, as git stores them. */
    public static final List<String> EXTREME_DATES = List.of("-62167219200 +0000", "253402300799 +0000",
            "9000000000000000000 +0000", "99999999999999999999999 +0000", "1700000000 -9999", "1700000000 +1400", "0 +0000",
            "0 -9959"); // the last: git stores it, and will not print it in ISO form ("Timestamp before Unix epoch")

    /** {@code count} commits in a line on {@code ref} through fast-import; returns the tip. */
    private static String line(Path dir, String ref, int count) {
        GitCli.run(dir, out -> {
            StringBuilder stream = new StringBuilder(count * 90);
            for (int i = 1; i <= count; i++) {
                stream.append("commit ").append(ref).append("\ncommitter Line <line@example.com> ").append(1_600_000_000L + i)
                        .append(" +0000\ndata ").append(Integer.toString(i).length()).append('\n').append(i).append('\n');
            }
            stream.append("done\n");
            out.write(stream.toString().getBytes(StandardCharsets.UTF_8));
        }, List.of("fast-import", "--quiet", "--done"));
        return GitCli.run(dir, "rev-parse", ref).strip();
    }

    /** {@code count} refs {@code prefix0…} at {@code sha}, written as packed-refs (sorted, as git keeps them). */
    private static void refs(Path dir, String prefix, int count, String sha) {
        List<String> names = new java.util.ArrayList<>(count + 1);
        for (int i = 0; i < count; i++) {
            names.add(prefix + i);
        }
        StringBuilder packed = new StringBuilder("# pack-refs with: peeled fully-peeled sorted \n");
        java.util.Map<String, String> existing = new java.util.TreeMap<>();
        for (String line : GitCli.run(dir, "for-each-ref", "--format=%(objectname) %(refname)").split("\n")) {
            if (!line.isBlank()) {
                existing.put(line.substring(41), line.substring(0, 40));
            }
        }
        for (String name : names) {
            existing.put(name, sha);
        }
        existing.forEach((name, target) -> packed.append(target).append(' ').append(name).append('\n'));
        try {
            Files.writeString(dir.resolve("packed-refs"), packed.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String emptyTree(Path dir) {
        return new String(GitCli.run(dir, new byte[0], List.of("hash-object", "-t", "tree", "-w", "--stdin")),
                StandardCharsets.US_ASCII).strip();
    }

    private static byte[] person(String header, String name, String email, String date) {
        return utf8("%s %s <%s> %s\n".formatted(header, name, email, date));
    }

    /** A commit object of the tree, the parents, the header lines (author, committer, any others) and the message. */
    private static String commit(Path dir, String tree, List<String> parents, byte[] message, byte[]... headers) {
        ByteArrayOutputStream object = new ByteArrayOutputStream();
        object.writeBytes(utf8("tree " + tree + "\n"));
        for (String parent : parents) {
            object.writeBytes(utf8("parent " + parent + "\n"));
        }
        for (byte[] header : headers) {
            object.writeBytes(header);
        }
        object.write('\n');
        object.writeBytes(message);
        return new String(GitCli.run(dir, object.toByteArray(), List.of("hash-object", "-t", "commit", "-w", "--literally", "--stdin")),
                StandardCharsets.US_ASCII).strip();
    }

    private static void main(Path dir, String sha) {
        GitCli.run(dir, "update-ref", "refs/heads/main", sha);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
