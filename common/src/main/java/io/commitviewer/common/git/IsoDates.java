package io.commitviewer.common.git;

import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;

/**
 * A commit's date as ISO 8601 text, exactly as {@link DateTimeFormatter#ISO_OFFSET_DATE_TIME} writes
 * it ({@code 2024-01-31T12:00:00+01:00}, {@code Z} for UTC), written by hand for the dates a commit
 * carries — years 0000 to 9999, whole seconds, offsets of whole minutes ({@link GitLogParser} makes
 * no others) — at a fraction of the formatter's cost, which was a third of the CLI's own CPU time
 * (docs/benchmarks.md). Any other date goes to the formatter.
 */
public final class IsoDates {

    private IsoDates() {
    }

    public static String format(OffsetDateTime date) {
        int year = date.getYear();
        int offset = date.getOffset().getTotalSeconds();
        if (date.getNano() != 0 || year < 0 || year > 9999 || offset % 60 != 0) {
            return DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(date);
        }
        char[] text = new char[offset == 0 ? 20 : 25];
        digits(text, 0, year / 100);
        digits(text, 2, year % 100);
        text[4] = '-';
        digits(text, 5, date.getMonthValue());
        text[7] = '-';
        digits(text, 8, date.getDayOfMonth());
        text[10] = 'T';
        digits(text, 11, date.getHour());
        text[13] = ':';
        digits(text, 14, date.getMinute());
        text[16] = ':';
        digits(text, 17, date.getSecond());
        if (offset == 0) {
            text[19] = 'Z';
        } else {
            int minutes = Math.abs(offset) / 60;
            text[19] = offset < 0 ? '-' : '+';
            digits(text, 20, minutes / 60);
            text[22] = ':';
            digits(text, 23, minutes % 60);
        }
        return new String(text);
    }

    private static void digits(char[] text, int at, int value) {
        text[at] = (char) ('0' + value / 10);
        text[at + 1] = (char) ('0' + value % 10);
    }
}
