package io.commitviewer.commit.commits;

import java.util.List;

/** A short sha that names more than one commit of the project (409 {@code ambiguous-sha}), with the candidates. */
public class AmbiguousShaException extends RuntimeException {

    private final List<String> candidates;
    private final boolean more;

    AmbiguousShaException(String prefix, List<String> candidates, boolean more) {
        super("the short sha " + prefix + " names " + (more ? "more than " + candidates.size() : candidates.size())
                + " commits of this project: give more digits");
        this.candidates = List.copyOf(candidates);
        this.more = more;
    }

    /** The commits it names (at most {@code CommitQueries.MAX_CANDIDATES}), in sha order. */
    public List<String> candidates() {
        return candidates;
    }

    /** Whether it names more than {@link #candidates()} lists. */
    public boolean more() {
        return more;
    }
}
