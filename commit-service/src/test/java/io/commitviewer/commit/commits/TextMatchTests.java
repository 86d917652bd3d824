package io.commitviewer.commit.commits;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class TextMatchTests {

    @Test
    void asciiLettersFoldAndNothingElseDoes() {
        assertThat(TextMatch.of("fix").in("Fix parser")).isTrue();
        assertThat(TextMatch.of("PARSER").in("Fix parser")).isTrue();
        assertThat(TextMatch.of("Zoë").in("Zoë Chen <zoe@example.com>")).isTrue();
        assertThat(TextMatch.of("ZOË").in("Zoë Chen")).as("Ë is no ASCII letter: git in the C locale").isFalse();
        assertThat(TextMatch.of("a.b").in("axb")).as("a fixed string, not a pattern").isFalse();
        assertThat(TextMatch.of("a.b").in("A.B")).isTrue();
        assertThat(TextMatch.of("x").in(null)).isFalse();
        assertThat(Pattern.compile(TextMatch.of("ada").prefixRegex()).matcher("Ada Lovelace").find()).isTrue();
        assertThat(Pattern.compile(TextMatch.of("love").prefixRegex()).matcher("Ada Lovelace").find()).isFalse();
        assertThat(TextMatch.of("lace <ada").spansFields()).isTrue();
        assertThat(TextMatch.of("lace ").spansFields()).as("the space before '<'").isTrue();
        assertThat(TextMatch.of("@example.com>").spansFields()).isTrue();
        assertThat(TextMatch.of("Ada Love").spansFields()).as("within the name").isFalse();
    }

    /** The store's form (a regular expression) finds what the in-memory form finds, for texts of every character class. */
    @Test
    void theRegularExpressionMatchesExactlyWhatTheTextDoes() {
        String alphabet = "aAbBzZ09 .*+?()[]{}^$|\\/-_<>@#%&'\"\u00e9\u00c9\u00df\u4e2d\ud83d\ude80";
        Random random = new Random(11);
        for (int trial = 0; trial < 5000; trial++) {
            String text = random(random, alphabet, 1 + random.nextInt(3));
            String value = random(random, alphabet, random.nextInt(12));
            TextMatch match = TextMatch.of(text);
            assertThat(Pattern.compile(match.regex()).matcher(value).find()).as("%s in %s (%s)", text, value, match.regex())
                    .isEqualTo(match.in(value));
        }
    }

    private static String random(Random random, String alphabet, int length) {
        StringBuilder out = new StringBuilder();
        int[] points = alphabet.codePoints().toArray();
        for (int i = 0; i < length; i++) {
            out.appendCodePoint(points[random.nextInt(points.length)]);
        }
        return out.toString();
    }
}
