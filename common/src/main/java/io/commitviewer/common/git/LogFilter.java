package io.commitviewer.common.git;

import java.util.ArrayList;
import java.util.List;

/**
 * Which commits a {@code git log} lists: a history ({@code revision}: a ref or sha, or every branch
 * when null) narrowed to authors, committers and messages containing texts — git's {@code -i -F}
 * (a fixed string, ASCII letters in either case: git runs in the C locale), {@code --all-match}
 * across several {@code grep}s — the same questions the API answers (ADR 0011).
 */
public record LogFilter(String revision, String author, String committer, List<String> grep) {

    /** Every commit of every branch. */
    public static final LogFilter ALL = new LogFilter(null, null, null, List.of());

    public LogFilter {
        grep = grep == null ? List.of() : List.copyOf(grep);
        if (revision != null) {
            RefNames.problemWith(revision).ifPresent(why -> {
                throw new IllegalArgumentException("not a ref name: " + why);
            });
        }
        for (String text : texts(author, committer, grep)) {
            if (text.isEmpty() || text.chars().anyMatch(c -> c < 0x20 || c == 0x7F)) {
                throw new IllegalArgumentException("a search text is empty or holds control characters");
            }
        }
    }

    private static List<String> texts(String author, String committer, List<String> grep) {
        List<String> texts = new ArrayList<>(grep);
        if (author != null) {
            texts.add(author);
        }
        if (committer != null) {
            texts.add(committer);
        }
        return texts;
    }

    /** git log's arguments after the format's: the searches, then the history (after {@code --end-of-options}). */
    List<String> arguments() {
        List<String> args = new ArrayList<>();
        if (author != null || committer != null || !grep.isEmpty()) {
            args.add("--regexp-ignore-case");
            args.add("--fixed-strings");
        }
        if (texts(author, committer, grep).size() > 1) {
            args.add("--all-match"); // every search must match, as the API's filters (git ORs some without it)
        }
        if (author != null) {
            args.add("--author=" + author);
        }
        if (committer != null) {
            args.add("--committer=" + committer);
        }
        grep.forEach(text -> args.add("--grep=" + text));
        if (revision == null) {
            args.add("--branches");
        } else {
            args.add("--end-of-options");
            args.add(revision);
        }
        return args;
    }
}
