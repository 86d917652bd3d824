package io.commitviewer.common.git;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Streams {@code git log} output in {@link #FORMAT} (the {@link #ARGUMENTS}) into {@link GitCommit}s.
 *
 * <p>Every field is NUL-terminated and a record has a fixed number of fields followed by the
 * newline git adds after each commit, so nothing a message contains (git cannot store NUL in a
 * message) can shift a field. Memory is one buffer plus the current commit whatever the history
 * or the repository's content: every field has a cap, and what passes it is cut (on a character
 * boundary) and named in {@link GitCommit#truncated()} — a message past {@code maxMessageBytes},
 * a name or email past {@link #MAX_IDENTITY_BYTES}, parents past {@link #MAX_PARENTS}. A date
 * outside the years 0000–9999, unreadable, or with an impossible time zone is clamped into that
 * range (or UTC) and named in {@link GitCommit#clamped()}. No date is read in a form git computes
 * (ISO): git refuses to print some dates it stores that way ({@code fatal: Timestamp before Unix
 * epoch} for {@code 0 -9959}) and any commit git can list is listed; the seconds come as stored
 * ({@code %at}: {@code --date=raw} reads an overlong number as 0), the zone from the raw date. Bytes that are not UTF-8 decode to
 * U+FFFD. An object id that is not one is {@link FailureReason#INVALID_REPOSITORY}.
 */
public final class GitLogParser {

    /** sha, parents, author name/email/seconds/raw date, committer name/email/seconds/raw date, raw body. */
    public static final String FORMAT = "%H%x00%P%x00%an%x00%ae%x00%at%x00%ad%x00%cn%x00%ce%x00%ct%x00%cd%x00%B%x00";
    /** What {@code git log} needs to print {@link #FORMAT} as this parser reads it. */
    public static final List<String> ARGUMENTS = List.of("--no-mailmap", "--no-color", "--date=raw", "--format=" + FORMAT);

    /** Longest name or email kept, in bytes: far beyond any real one, small beside a document's 16 MB. */
    public static final int MAX_IDENTITY_BYTES = 1024;
    /** Most parents kept of one commit (the largest real octopus merges have a few dozen). */
    public static final int MAX_PARENTS = 100;
    /** The dates a commit may carry; beyond them a date is clamped and flagged. */
    public static final Instant EARLIEST = Instant.parse("0000-01-01T00:00:00Z");
    public static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");

    private static final int FIELDS = 11;
    private static final int MESSAGE = 10;
    private static final String[] NAMES = {"sha", "parents", "author.name", "author.email", "author.epoch", "author.date",
        "committer.name", "committer.email", "committer.epoch", "committer.date", "message"};
    /** The fields people write (names, emails, the message): the only ones with text beyond ASCII. */
    private static final boolean[] TEXT = {false, false, true, true, false, false, true, true, false, false, true};
    private static final int MAX_ID_BYTES = 64;
    private static final int MAX_DATE_BYTES = 64;

    private final InputStream in;
    private final int maxMessageBytes;
    private final byte[] buffer = new byte[1 << 16];
    private int position;
    private int limit;
    private byte[] field = new byte[256];
    private int fieldLength;
    private boolean fieldTruncated;
    private final String[] values = new String[FIELDS];
    private final int[] caps;

    public GitLogParser(InputStream in, int maxMessageBytes) {
        this.in = in;
        this.maxMessageBytes = maxMessageBytes;
        this.caps = new int[] {MAX_ID_BYTES + 1, MAX_PARENTS * (MAX_ID_BYTES + 1), MAX_IDENTITY_BYTES, MAX_IDENTITY_BYTES,
            MAX_DATE_BYTES, MAX_DATE_BYTES, MAX_IDENTITY_BYTES, MAX_IDENTITY_BYTES, MAX_DATE_BYTES, MAX_DATE_BYTES, maxMessageBytes};
    }

    /** Parses until the end of the stream or until the sink says stop; returns the commits accepted. */
    public long parse(CommitSink sink) throws Exception {
        long count = 0;
        GitCommit commit;
        while ((commit = next()) != null) {
            count++;
            if (!sink.accept(commit)) {
                break;
            }
        }
        return count;
    }

    /** The next commit, or {@code null} at the end of the output. */
    public GitCommit next() throws IOException {
        if (!fill()) {
            return null;
        }
        Set<String> truncated = new LinkedHashSet<>(0);
        for (int i = 0; i < FIELDS; i++) {
            if (!readField(caps[i])) {
                throw new IOException("git log output ended inside a commit (field " + i + ")");
            }
            if (fieldTruncated) {
                truncated.add(NAMES[i]);
            }
            values[i] = i == MESSAGE ? decodeMessage() : decode();
            if (TEXT[i] && (fieldTruncated || fieldLength > caps[i] / 3)) {
                // bytes that are not UTF-8 become U+FFFD, three bytes each: the text may outgrow its cap
                String fitted = fit(values[i], caps[i]);
                if (fitted != values[i]) {
                    values[i] = fitted;
                    truncated.add(NAMES[i]);
                }
            }
        }
        if (!fill() || buffer[position] != '\n') {
            throw new IOException("git log output is malformed after commit " + values[0]);
        }
        position++;
        String sha = values[0];
        if (!isObjectId(sha)) {
            throw new GitException(FailureReason.INVALID_REPOSITORY,
                    "git log printed '" + cut(sha) + "' where an object id belongs: the repository is damaged or crafted");
        }
        List<String> parents = parents(values[1], truncated.contains("parents"));
        Set<String> clamped = new LinkedHashSet<>(0);
        Signature author = new Signature(values[2], values[3], date(values[4], values[5], "author.date", clamped));
        Signature committer = new Signature(values[6], values[7], date(values[8], values[9], "committer.date", clamped));
        truncated.remove("author.epoch");
        truncated.remove("author.date");
        truncated.remove("committer.epoch");
        truncated.remove("committer.date");
        return new GitCommit(sha, parents, author, committer, values[10], truncated, clamped);
    }

    private static boolean isObjectId(String value) {
        int n = value.length();
        if (n != 40 && n != 64) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = value.charAt(i);
            if ((c < '0' || c > '9') && (c < 'a' || c > 'f')) {
                return false;
            }
        }
        return true;
    }

    private static String cut(String value) {
        return value.length() <= 80 ? value : value.substring(0, 80) + "…";
    }

    private boolean fill() throws IOException {
        if (position < limit) {
            return true;
        }
        int n = in.read(buffer, 0, buffer.length);
        if (n <= 0) {
            return false;
        }
        position = 0;
        limit = n;
        return true;
    }

    /** Reads bytes up to the next NUL into {@link #field}, keeping at most {@code max}. */
    private boolean readField(int max) throws IOException {
        fieldLength = 0;
        fieldTruncated = false;
        while (fill()) {
            int start = position;
            int end = start;
            while (end < limit && buffer[end] != 0) {
                end++;
            }
            append(start, end - start, max);
            if (end < limit) {
                position = end + 1;
                return true;
            }
            position = limit;
        }
        return false;
    }

    private void append(int offset, int length, int max) {
        int room = max - fieldLength;
        int take = Math.min(room, length);
        if (take < length) {
            fieldTruncated = true;
        }
        if (take <= 0) {
            return;
        }
        if (fieldLength + take > field.length) {
            field = Arrays.copyOf(field, Math.max(field.length * 2, fieldLength + take));
        }
        System.arraycopy(buffer, offset, field, fieldLength, take);
        fieldLength += take;
    }

    /** {@code text} itself if its UTF-8 form fits in {@code maxBytes}; otherwise its longest prefix that does. */
    static String fit(String text, int maxBytes) {
        int bytes = 0;
        for (int i = 0; i < text.length(); ) {
            int codePoint = text.codePointAt(i);
            bytes += codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
            if (bytes > maxBytes) {
                return text.substring(0, i);
            }
            i += Character.charCount(codePoint);
        }
        return text;
    }

    /** A field as text: cut on a character boundary if it passed its cap. */
    private String decode() {
        return new String(field, 0, fieldTruncated ? characterBoundary(fieldLength) : fieldLength, StandardCharsets.UTF_8);
    }

    /** The end of the last whole UTF-8 character at or before {@code end}. */
    private int characterBoundary(int end) {
        int i = end - 1;
        while (i > 0 && end - i < 4 && (field[i] & 0xC0) == 0x80) {
            i--;
        }
        if (i >= 0 && (field[i] & 0x80) != 0) {
            int need = (field[i] & 0xE0) == 0xC0 ? 2 : (field[i] & 0xF0) == 0xE0 ? 3 : (field[i] & 0xF8) == 0xF0 ? 4 : 1;
            if (i + need > end) {
                return i;
            }
        }
        return end;
    }

    private String decodeMessage() {
        int end = fieldLength;
        if (fieldTruncated) {
            end = characterBoundary(end);
        } else {
            // git ends a message with a newline; the API shows it without
            while (end > 0 && field[end - 1] == '\n') {
                end--;
            }
        }
        return new String(field, 0, end, StandardCharsets.UTF_8);
    }

    /**
     * The parents; {@code cut}: the field passed its cap, so its last (partial) id is dropped.
     * Anything else that is not an object id is {@link FailureReason#INVALID_REPOSITORY}.
     */
    private static List<String> parents(String field, boolean cut) {
        if (field.isEmpty()) {
            return List.of();
        }
        if (field.indexOf(' ') < 0 && !cut && isObjectId(field)) {
            return List.of(field);
        }
        List<String> parents = new ArrayList<>(2);
        int start = 0;
        while (start < field.length() && parents.size() < MAX_PARENTS) {
            int space = field.indexOf(' ', start);
            int end = space < 0 ? field.length() : space;
            String parent = field.substring(start, end);
            if (isObjectId(parent)) {
                parents.add(parent);
            } else if (!(cut && end == field.length())) {
                throw new GitException(FailureReason.INVALID_REPOSITORY,
                        "git log printed '" + cut(parent) + "' where a parent's object id belongs: the repository is damaged or crafted");
            }
            start = end + 1;
        }
        return List.copyOf(parents);
    }

    /**
     * The instant comes from the epoch seconds, clamped to {@link #EARLIEST}–{@link #LATEST}
     * (an unreadable number: the nearer end by its sign); the offset from the tail of the raw date
     * ({@code 1700000000 +0200}), or UTC where git recorded an impossible time zone. A clamped
     * instant or offset adds {@code name} to {@code clamped}.
     */
    static OffsetDateTime date(String epochSeconds, String raw, String name, Set<String> clamped) {
        Instant instant;
        try {
            long seconds = Long.parseLong(epochSeconds);
            instant = seconds < EARLIEST.getEpochSecond() ? EARLIEST : seconds > LATEST.getEpochSecond() ? LATEST
                    : Instant.ofEpochSecond(seconds);
            if (seconds != instant.getEpochSecond()) {
                clamped.add(name);
            }
        } catch (NumberFormatException e) {
            instant = epochSeconds.startsWith("-") ? EARLIEST : epochSeconds.isEmpty() ? Instant.EPOCH : LATEST;
            clamped.add(name);
        }
        ZoneOffset offset = offset(raw);
        if (offset == null) {
            offset = ZoneOffset.UTC;
            clamped.add(name);
        }
        OffsetDateTime date = OffsetDateTime.ofInstant(instant, offset);
        if (date.getYear() < 0 || date.getYear() > 9999) {
            // the offset would carry the local date out of the range
            clamped.add(name);
            return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
        }
        return date;
    }

    /** For tests: a date as {@link #next()} reads it, flags dropped. */
    static OffsetDateTime date(String epochSeconds, String raw) {
        return date(epochSeconds, raw, "date", new LinkedHashSet<>());
    }

    /** The zone at the end of a raw date ({@code +HHMM}); null if there is none or it is impossible. */
    private static ZoneOffset offset(String raw) {
        int n = raw.length();
        if (n < 6 || raw.charAt(n - 6) != ' ') {
            return null;
        }
        char sign = raw.charAt(n - 5);
        if (sign != '+' && sign != '-') {
            return null;
        }
        int hours = digits(raw, n - 4);
        int minutes = digits(raw, n - 2);
        if (hours < 0 || minutes < 0 || hours > 18 || minutes > 59 || (hours == 18 && minutes > 0)) {
            return null;
        }
        int total = hours * 3600 + minutes * 60;
        return ZoneOffset.ofTotalSeconds(sign == '-' ? -total : total);
    }

    private static int digits(String s, int at) {
        char a = s.charAt(at);
        char b = s.charAt(at + 1);
        if (a < '0' || a > '9' || b < '0' || b > '9') {
            return -1;
        }
        return (a - '0') * 10 + (b - '0');
    }
}
