package io.commitviewer.common.git;

import java.util.Optional;

/**
 * What a ref a person names may be — the API's {@code ref}, {@code base}, {@code head}, the CLI's
 * {@code --ref} and {@code --branch}: a name as git allows a branch or tag to be named, or a sha.
 * What git would read as revision syntax (a range, a path, an option, a reflog entry) is refused,
 * so that no one believes {@code A..B} compared two refs and nothing reaches git as an option.
 */
public final class RefNames {

    /** Longer than any ref name git hosts accept (a ref is a path; GitHub caps it at 255 bytes). */
    public static final int MAX_LENGTH = 1024;

    private RefNames() {
    }

    /** Why {@code value} cannot be a ref name (e.g. "it contains '..'"), or empty if it can. */
    public static Optional<String> problemWith(String value) {
        return Optional.ofNullable(problem(value));
    }

    private static String problem(String value) {
        if (value.isEmpty()) {
            return "it is empty";
        }
        if (value.length() > MAX_LENGTH) {
            return "it is longer than " + MAX_LENGTH + " characters";
        }
        if (value.startsWith("-")) {
            return "it starts with '-'";
        }
        if (value.contains("..")) {
            return "it contains '..' (a range: compare with base and head)";
        }
        if (value.contains("@{")) {
            return "it contains '@{'";
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c == 0x7F) {
                return "it contains control characters";
            }
            if (" ~^:?*[\\".indexOf(c) >= 0) {
                return "it contains '" + c + "'";
            }
        }
        if (value.startsWith("/") || value.endsWith("/") || value.contains("//") || value.endsWith(".") || value.endsWith(".lock")) {
            return "git allows no ref name of that form";
        }
        return null;
    }
}
