package io.commitviewer.common.git;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Streams {@code git log --format=}{@link #FORMAT} output into {@link GitCommit}s.
 *
 * <p>Every field is NUL-terminated and a record has a fixed number of fields followed by the
 * newline git adds after each commit, so nothing a message contains (git cannot store NUL in a
 * message) can shift a field. Memory is one buffer plus the current commit whatever the history
 * size; bytes that are not UTF-8 decode to U+FFFD; a message past {@code maxMessageBytes} is cut
 * on a character boundary and flagged.
 */
public final class GitLogParser {

    /** sha, parents, author name/email/epoch/ISO date, committer name/email/epoch/ISO date, raw body. */
    public static final String FORMAT = "%H%x00%P%x00%an%x00%ae%x00%at%x00%aI%x00%cn%x00%ce%x00%ct%x00%cI%x00%B%x00";

    private static final int FIELDS = 11;
    private static final int MESSAGE = 10;

    private final InputStream in;
    private final int maxMessageBytes;
    private final byte[] buffer = new byte[1 << 16];
    private int position;
    private int limit;
    private byte[] field = new byte[256];
    private int fieldLength;
    private boolean fieldTruncated;
    private final String[] values = new String[FIELDS];

    public GitLogParser(InputStream in, int maxMessageBytes) {
        this.in = in;
        this.maxMessageBytes = maxMessageBytes;
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
        boolean truncated = false;
        for (int i = 0; i < FIELDS; i++) {
            if (!readField(i == MESSAGE ? maxMessageBytes : Integer.MAX_VALUE)) {
                throw new IOException("git log output ended inside a commit (field " + i + ")");
            }
            if (i == MESSAGE) {
                truncated = fieldTruncated;
                values[i] = decodeMessage();
            } else {
                values[i] = new String(field, 0, fieldLength, StandardCharsets.UTF_8);
            }
        }
        if (!fill() || buffer[position] != '\n') {
            throw new IOException("git log output is malformed after commit " + values[0]);
        }
        position++;
        String sha = values[0];
        if (sha.length() < 40) {
            throw new IOException("git log output is malformed: '" + sha + "' is not an object id");
        }
        return new GitCommit(sha, parents(values[1]),
                new Signature(values[2], values[3], date(values[4], values[5])),
                new Signature(values[6], values[7], date(values[8], values[9])),
                values[10], truncated);
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

    private String decodeMessage() {
        int end = fieldLength;
        if (fieldTruncated) {
            // do not cut a UTF-8 sequence in two: back off to the start of the last character
            int i = end - 1;
            while (i > 0 && end - i < 4 && (field[i] & 0xC0) == 0x80) {
                i--;
            }
            if (i >= 0 && (field[i] & 0x80) != 0) {
                int need = (field[i] & 0xE0) == 0xC0 ? 2 : (field[i] & 0xF0) == 0xE0 ? 3 : (field[i] & 0xF8) == 0xF0 ? 4 : 1;
                if (i + need > end) {
                    end = i;
                }
            }
        } else {
            // git ends a message with a newline; the API shows it without
            while (end > 0 && field[end - 1] == '\n') {
                end--;
            }
        }
        return new String(field, 0, end, StandardCharsets.UTF_8);
    }

    private static List<String> parents(String field) {
        if (field.isEmpty()) {
            return List.of();
        }
        if (field.indexOf(' ') < 0) {
            return List.of(field);
        }
        List<String> parents = new ArrayList<>(2);
        int start = 0;
        while (start < field.length()) {
            int space = field.indexOf(' ', start);
            int end = space < 0 ? field.length() : space;
            parents.add(field.substring(start, end));
            start = end + 1;
        }
        return List.copyOf(parents);
    }

    /**
     * The instant comes from the epoch seconds (always valid); the offset from the tail of the
     * strict ISO date ({@code +HH:MM}), or UTC where git recorded an impossible time zone.
     */
    static OffsetDateTime date(String epochSeconds, String iso) {
        long seconds;
        try {
            seconds = Long.parseLong(epochSeconds);
        } catch (NumberFormatException e) {
            seconds = 0;
        }
        return OffsetDateTime.ofInstant(Instant.ofEpochSecond(seconds), offset(iso));
    }

    private static ZoneOffset offset(String iso) {
        int n = iso.length();
        if (n < 6) {
            return ZoneOffset.UTC;
        }
        char sign = iso.charAt(n - 6);
        if ((sign != '+' && sign != '-') || iso.charAt(n - 3) != ':') {
            return ZoneOffset.UTC;
        }
        int hours = digits(iso, n - 5);
        int minutes = digits(iso, n - 2);
        if (hours < 0 || minutes < 0 || hours > 18 || minutes > 59 || (hours == 18 && minutes > 0)) {
            return ZoneOffset.UTC;
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
