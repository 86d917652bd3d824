package io.commitviewer.common.git;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class IsoDatesTests {

    private static void assertAsTheFormatter(OffsetDateTime date) {
        assertThat(IsoDates.format(date)).as(date.toString()).isEqualTo(DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(date));
    }

    @Test
    void writesWhatTheIsoFormatterWritesForEveryDateACommitCarries() {
        SplittableRandom random = new SplittableRandom(26);
        long earliest = GitLogParser.EARLIEST.getEpochSecond();
        long latest = GitLogParser.LATEST.getEpochSecond();
        for (int i = 0; i < 200_000; i++) {
            ZoneOffset offset = ZoneOffset.ofTotalSeconds(60 * random.nextInt(-18 * 60, 18 * 60 + 1));
            OffsetDateTime date = OffsetDateTime.ofInstant(Instant.ofEpochSecond(random.nextLong(earliest, latest + 1)), offset);
            if (date.getYear() >= 0 && date.getYear() <= 9999) {
                assertAsTheFormatter(date);
            }
        }
    }

    @Test
    void theEdgesAndTheDatesItLeavesToTheFormatter() {
        assertAsTheFormatter(OffsetDateTime.parse("0000-01-01T00:00:00Z"));
        assertAsTheFormatter(OffsetDateTime.parse("9999-12-31T23:59:59+18:00"));
        assertAsTheFormatter(OffsetDateTime.parse("1970-01-01T00:00:00-00:01"));
        assertAsTheFormatter(OffsetDateTime.parse("2005-04-07T15:13:13-07:00"));
        assertAsTheFormatter(OffsetDateTime.parse("2024-02-29T12:30:00+05:45"));
        assertAsTheFormatter(OffsetDateTime.parse("2024-02-29T12:30:00.5+05:45")); // a fraction: the formatter's
        assertAsTheFormatter(OffsetDateTime.parse("+10000-01-01T00:00:00Z"));
        assertAsTheFormatter(OffsetDateTime.parse("2024-01-01T00:00:00+01:00:30"));
        assertThat(IsoDates.format(OffsetDateTime.parse("2024-01-31T12:00:00Z"))).isEqualTo("2024-01-31T12:00:00Z");
    }
}
