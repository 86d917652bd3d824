package io.commitviewer.commit.commits;

/**
 * A search text as git's {@code -i -F} reads it in the C locale: a fixed string (no pattern),
 * ASCII letters matching either case, every other character only itself. Two forms of one rule:
 * {@link #in} for what this service holds in memory, {@link #regex} for what the store scans.
 */
final class TextMatch {

    private final String text;

    private TextMatch(String text) {
        this.text = text;
    }

    static TextMatch of(String text) {
        return new TextMatch(text);
    }

    /** Whether {@code value} contains the text, ASCII letters in either case. */
    boolean in(String value) {
        if (value == null) {
            return false;
        }
        int length = text.length();
        for (int from = 0, last = value.length() - length; from <= last; from++) {
            if (matchesAt(value, from)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether the text can match {@code Name <email>} only as a whole — across the {@code " <"} or
     * at the {@code >} — and not within the name or within the email alone: it holds {@code <} or
     * {@code >}, or ends with a space (the one before {@code <}).
     */
    boolean spansFields() {
        return text.indexOf('<') >= 0 || text.indexOf('>') >= 0 || text.endsWith(" ");
    }

    /** The regular expression of a text at the start of a value ({@link #regex()} anchored). */
    String prefixRegex() {
        return "^" + regex();
    }

    private boolean matchesAt(String value, int from) {
        for (int i = 0; i < text.length(); i++) {
            if (fold(value.charAt(from + i)) != fold(text.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static char fold(char c) {
        return c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
    }

    /**
     * The same rule as a regular expression that MongoDB (PCRE) and Java read alike: each ASCII
     * letter a class of its two cases, other ASCII characters escaped, the rest as they are (no
     * other character means anything to either).
     */
    String regex() {
        StringBuilder regex = new StringBuilder(text.length() * 4);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            char lower = fold(c);
            if (lower >= 'a' && lower <= 'z') {
                regex.append('[').append(lower).append((char) (lower - ('a' - 'A'))).append(']');
            } else if (c < 0x80 && !Character.isLetterOrDigit(c)) {
                regex.append('\\').append(c);
            } else {
                regex.append(c);
            }
        }
        return regex.toString();
    }

    @Override
    public String toString() {
        return text;
    }
}
