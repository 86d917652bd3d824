package io.commitviewer.common.git;

import java.util.List;

/**
 * The outcome of {@link Git#update}: the mirror and its branches before and after.
 *
 * @param cloned true when the mirror was (re)created, so every commit is new
 */
public record MirrorUpdate(Mirror mirror, List<Branch> before, List<Branch> after, boolean cloned) {

    public MirrorUpdate {
        before = List.copyOf(before);
        after = List.copyOf(after);
    }

    /** True when no branch moved, appeared or disappeared. */
    public boolean unchanged() {
        return !cloned && new java.util.HashSet<>(before).equals(new java.util.HashSet<>(after));
    }

    public List<String> previousTips() {
        return before.stream().map(Branch::tip).distinct().toList();
    }
}
