package io.commitviewer.common.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class GitLogParserTests {

    private static final String A = "a".repeat(40);
    private static final String B = "b".repeat(40);
    private static final String C = "c".repeat(40);

    /** One record exactly as {@code git log --date=raw --format=FORMAT} writes it. */
    private static byte[] record(String sha, String parents, byte[] message) {
        return record(sha, parents, "Ada Lovelace", "ada@example.com", "1700000000", "1700000000 +0200", message);
    }

    private static byte[] record(String sha, String parents, String authorName, String authorEmail, String authorEpoch,
            String authorRaw, byte[] message) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String field : List.of(sha, parents, authorName, authorEmail, authorEpoch, authorRaw,
                "Grace Hopper", "grace@example.com", "1700000060", "1700000060 -0500")) {
            out.writeBytes(field.getBytes(StandardCharsets.UTF_8));
            out.write(0);
        }
        out.writeBytes(message);
        out.write(0);
        out.write('\n');
        return out.toByteArray();
    }

    private static List<GitCommit> parseAll(byte[] bytes, int maxMessageBytes) throws Exception {
        List<GitCommit> commits = new ArrayList<>();
        new GitLogParser(new ByteArrayInputStream(bytes), maxMessageBytes).parse(commits::add);
        return commits;
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void parsesEveryField() throws Exception {
        GitCommit commit = parseAll(record(A, B, utf8("Fix parser\n\nLong body.\n")), 1 << 20).get(0);

        assertThat(commit.sha()).isEqualTo(A);
        assertThat(commit.parents()).containsExactly(B);
        assertThat(commit.author().name()).isEqualTo("Ada Lovelace");
        assertThat(commit.author().email()).isEqualTo("ada@example.com");
        assertThat(commit.author().date()).isEqualTo(OffsetDateTime.parse("2023-11-15T00:13:20+02:00"));
        assertThat(commit.author().date().getOffset().getTotalSeconds()).isEqualTo(7200);
        assertThat(commit.committer().name()).isEqualTo("Grace Hopper");
        assertThat(commit.committer().date()).isEqualTo(OffsetDateTime.parse("2023-11-14T17:14:20-05:00"));
        assertThat(commit.message()).isEqualTo("Fix parser\n\nLong body.");
        assertThat(commit.messageTruncated()).isFalse();
    }

    @Test
    void keepsEveryControlByteAndRecordSeparatorInMessages() throws Exception {
        ByteArrayOutputStream message = new ByteArrayOutputStream();
        for (int b = 1; b <= 0x1F; b++) {
            message.write(b);
        }
        message.writeBytes(utf8("\u001e after separator\n\n\n"));
        byte[] bytes = concat(record(A, "", message.toByteArray()), record(B, A, utf8("next\n")));

        List<GitCommit> commits = parseAll(bytes, 1 << 20);

        assertThat(commits).extracting(GitCommit::sha).containsExactly(A, B);
        String expected = new String(message.toByteArray(), StandardCharsets.UTF_8).replaceAll("\n+$", "");
        assertThat(commits.get(0).message()).isEqualTo(expected).contains("\n\u000b\u000c\r").contains("\u001e");
    }

    @Test
    void decodesEmojiAndReplacesInvalidUtf8() throws Exception {
        byte[] invalid = {'B', 'a', 'd', ' ', (byte) 0xC3, (byte) 0x28, ' ', (byte) 0xFF, ' ', (byte) 0xE2, (byte) 0x82};
        List<GitCommit> commits = parseAll(concat(record(A, "", utf8("Ship it 🚀 — naïve\n")), record(B, A, invalid)), 1 << 20);

        assertThat(commits.get(0).message()).isEqualTo("Ship it 🚀 — naïve");
        assertThat(commits.get(1).message()).startsWith("Bad \uFFFD(").contains("\uFFFD").doesNotContain("\u0000");
    }

    @Test
    void handlesEmptyAndHugeMessages() throws Exception {
        byte[] huge = utf8("x".repeat(1 << 20) + "\n");
        List<GitCommit> commits = parseAll(concat(record(A, "", new byte[0]), record(B, A, huge), record(C, B, utf8("tail"))), 2 << 20);

        assertThat(commits.get(0).message()).isEmpty();
        assertThat(commits.get(1).message()).hasSize(1 << 20);
        assertThat(commits.get(2).message()).isEqualTo("tail");
    }

    @Test
    void cutsLongMessagesOnACharacterBoundaryAndFlagsThem() throws Exception {
        byte[] message = utf8("ab🚀cd");      // 🚀 is 4 bytes: a b F0 9F 9A 80 c d, cut after 5
        List<GitCommit> commits = parseAll(concat(record(A, "", message), record(B, A, utf8("short"))), 5);

        assertThat(commits.get(0).message()).isEqualTo("ab");
        assertThat(commits.get(0).messageTruncated()).isTrue();
        assertThat(commits.get(1).message()).isEqualTo("short");
        assertThat(commits.get(1).messageTruncated()).isFalse();
    }

    @Test
    void readsRootsMergesAndOctopusMerges() throws Exception {
        List<String> eight = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            eight.add(Integer.toHexString(i).repeat(40));
        }
        List<GitCommit> commits = parseAll(concat(record(A, "", utf8("root one")), record(B, "", utf8("root two")),
                record(C, A + " " + B, utf8("merge")), record("d".repeat(40), String.join(" ", eight), utf8("octopus"))), 1024);

        assertThat(commits.get(0).parents()).isEmpty();
        assertThat(commits.get(1).parents()).isEmpty();
        assertThat(commits.get(2).parents()).containsExactly(A, B);
        assertThat(commits.get(3).parents()).containsExactlyElementsOf(eight);
    }

    @Test
    void fallsBackToUtcForAnImpossibleTimeZone() {
        OffsetDateTime date = GitLogParser.date("1700000000", "1700000000 +9999");
        assertThat(date.toInstant().getEpochSecond()).isEqualTo(1700000000L);
        assertThat(date.getOffset().getTotalSeconds()).isZero();
    }

    @Test
    void cutsHugeNamesEmailsAndParentListsAndFlagsThem() throws Exception {
        String name = "é".repeat(2_000_000); // 4 MB of two-byte characters
        String email = "x".repeat(3_000_000) + "@example.com";
        List<String> parents = new ArrayList<>();
        for (int i = 0; i < 100_000; i++) {
            parents.add(String.format("%040x", i));
        }
        GitCommit commit = parseAll(record(A, String.join(" ", parents), name, email, "1700000000", "1700000000 +0200",
                utf8("octopus")), 1024).get(0);

        assertThat(commit.author().name()).hasSize(GitLogParser.MAX_IDENTITY_BYTES / 2).isEqualTo("é".repeat(512));
        assertThat(commit.author().email()).hasSize(GitLogParser.MAX_IDENTITY_BYTES);
        assertThat(commit.parents()).hasSize(GitLogParser.MAX_PARENTS).containsExactlyElementsOf(parents.subList(0, 100));
        assertThat(commit.truncated()).containsExactly("parents", "author.name", "author.email");
        assertThat(commit.messageTruncated()).isFalse();
        assertThat(commit.clamped()).isEmpty();
    }

    @Test
    void clampsDatesOutsideTheYears0To9999AndImpossibleZonesAndFlagsThem() throws Exception {
        String[][] cases = {
            {"9000000000000000000", "9000000000000000000 +0200", "9999-12-31T23:59:59Z"},
            {"99999999999999999999999", "x", "9999-12-31T23:59:59Z"},
            {"-99999999999999", "x", "0000-01-01T00:00:00Z"},
            {"-62167219201", "x", "0000-01-01T00:00:00Z"},
            {"1700000000", "1700000000 +9999", "2023-11-14T22:13:20Z"},
            {"0", "0 -9959", "1970-01-01T00:00:00Z"}, // git stores it, and will not print it in ISO form
            {"1700000000", "1700000000 +02:00", "2023-11-14T22:13:20Z"},
            {"", "", "1970-01-01T00:00:00Z"},
            {"253402300799", "253402300799 +0200", "9999-12-31T23:59:59Z"},
        };
        for (String[] c : cases) {
            GitCommit commit = parseAll(record(A, "", "Ada", "ada@example.com", c[0], c[1], utf8("m")), 1024).get(0);
            assertThat(commit.author().date().toInstant()).as(c[0]).isEqualTo(java.time.Instant.parse(c[2]));
            assertThat(commit.clamped()).as(c[0]).containsExactly("author.date");
            assertThat(commit.truncated()).as(c[0]).isEmpty();
        }
        GitCommit ordinary = parseAll(record(A, "", "Ada", "a@b", "-86400", "-86400 +0000", utf8("m")), 1024).get(0);
        assertThat(ordinary.clamped()).as("a date before 1970 is a date").isEmpty();
        assertThat(ordinary.author().date().toInstant()).isEqualTo(java.time.Instant.parse("1969-12-31T00:00:00Z"));
    }

    @Test
    void bytesThatAreNotUtf8CannotMakeAFieldOutgrowItsCap() throws Exception {
        // found by ParserFuzzTests#gitLogParser: each invalid byte decodes to U+FFFD, three bytes in UTF-8
        byte[] invalid = new byte[200];
        java.util.Arrays.fill(invalid, (byte) 0xff);
        GitCommit commit = parseAll(record(A, "", new String(new char[0]), "a@b", "1700000000", "1700000000 +0000",
                invalid), 256).get(0);
        assertThat(commit.message().getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(256);
        assertThat(commit.message()).isEqualTo("\uFFFD".repeat(85));
        assertThat(commit.truncated()).containsExactly("message");
    }

    @Test
    void anObjectIdThatIsNotOneIsAnInvalidRepository() {
        for (String sha : List.of("z".repeat(40), "a".repeat(39), "a".repeat(41), "a".repeat(5000))) {
            assertThatThrownBy(() -> parseAll(record(sha, "", utf8("m")), 1024)).as(sha.substring(0, 5))
                    .isInstanceOfSatisfying(GitException.class,
                            e -> assertThat(e.reason()).isEqualTo(FailureReason.INVALID_REPOSITORY));
        }
    }

    @Test
    void failsOnOutputThatEndsInsideACommit() {
        byte[] whole = record(A, "", utf8("message"));
        byte[] cut = java.util.Arrays.copyOf(whole, whole.length - 5);
        assertThatThrownBy(() -> parseAll(cut, 1024)).isInstanceOf(IOException.class).hasMessageContaining("ended inside");
    }

    @Test
    void failsOnOutputThatIsNotInTheFormat() {
        assertThatThrownBy(() -> parseAll(utf8("commit abc\nAuthor: x\n"), 1024)).isInstanceOf(IOException.class);
    }

    @Test
    void stopsWhenTheSinkSaysSo() throws Exception {
        byte[] bytes = concat(record(A, "", utf8("1")), record(B, A, utf8("2")), record(C, B, utf8("3")));
        List<String> seen = new ArrayList<>();
        long accepted = new GitLogParser(new ByteArrayInputStream(bytes), 1024).parse(c -> {
            seen.add(c.sha());
            return seen.size() < 2;
        });
        assertThat(accepted).isEqualTo(2);
        assertThat(seen).containsExactly(A, B);
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void streamsEachCommitBeforeTheOutputEnds() throws Exception {
        PipedOutputStream writer = new PipedOutputStream();
        InputStream reader = new PipedInputStream(writer, 1 << 16);
        writer.write(record(A, "", utf8("first")));
        writer.flush();
        GitLogParser parser = new GitLogParser(reader, 1024);

        // the writer is still open: a parser that buffered everything would block here
        assertThat(parser.next().sha()).isEqualTo(A);

        writer.write(record(B, A, utf8("second")));
        writer.close();
        assertThat(parser.next().sha()).isEqualTo(B);
        assertThat(parser.next()).isNull();
    }

    @Test
    void parsesManyCommitsFromAGeneratedStreamWithoutHoldingThem() throws Exception {
        int count = 200_000;
        byte[] one = record(A, B, utf8("Fix thing\n\nBody line one\nBody line two\n"));
        InputStream generated = new InputStream() {
            private long position;
            private final long total = (long) one.length * count;

            @Override
            public int read() {
                return position < total ? one[(int) (position++ % one.length)] & 0xFF : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (position >= total) {
                    return -1;
                }
                int n = 0;
                while (n < len && position < total) {
                    b[off + n++] = one[(int) (position++ % one.length)];
                }
                return n;
            }
        };
        long[] seen = {0};
        long parsed = new GitLogParser(generated, 1024).parse(c -> {
            seen[0]++;
            return true;
        });
        assertThat(parsed).isEqualTo(count);
        assertThat(seen[0]).isEqualTo(count);
    }
}
