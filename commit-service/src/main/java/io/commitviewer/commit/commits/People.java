package io.commitviewer.commit.commits;

import io.commitviewer.commit.store.CommitGraph;
import io.commitviewer.commit.store.Commits;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The people of a project's served history: each distinct identity (name and email, as stored: no
 * mailmap) once, and for each commit of the graph, by rank, its author's and its committer's. Built
 * from one scan of the project's commits per fetch; then a search by author or committer looks at
 * the identities (a few thousand) and a pass over an int array, never the store. Only a search
 * text that can match {@code Name <email>} only as a whole needs it ({@link TextMatch#spansFields()}).
 */
final class People {

    /** A person as git's {@code --author} sees them: {@code Name <email>}. */
    record Identity(String name, String email) {
        String asGitShowsIt() {
            return name + " <" + email + ">";
        }
    }

    private final List<Identity> identities;
    private final int[] authorOf;
    private final int[] committerOf;

    private People(List<Identity> identities, int[] authorOf, int[] committerOf) {
        this.identities = identities;
        this.authorOf = authorOf;
        this.committerOf = committerOf;
    }

    /** The people of the graph's commits, read from the store (commits the graph does not hold are left out). */
    static People of(CommitGraph graph, Commits commits, String projectId) {
        Map<Identity, Integer> ids = new HashMap<>();
        List<Identity> identities = new ArrayList<>();
        int[] authorOf = new int[graph.size()];
        int[] committerOf = new int[graph.size()];
        Arrays.fill(authorOf, -1);
        Arrays.fill(committerOf, -1);
        commits.forEachIdentities(projectId, row -> {
            int rank = graph.rankOf(row.sha());
            if (rank >= 0) {
                authorOf[rank] = ids.computeIfAbsent(identity(row.authorName(), row.authorEmail()), identity -> {
                    identities.add(identity);
                    return identities.size() - 1;
                });
                committerOf[rank] = ids.computeIfAbsent(identity(row.committerName(), row.committerEmail()), identity -> {
                    identities.add(identity);
                    return identities.size() - 1;
                });
            }
        });
        return new People(List.copyOf(identities), authorOf, committerOf);
    }

    private static Identity identity(String name, String email) {
        return new Identity(name == null ? "" : name, email == null ? "" : email);
    }

    /** The ranks of the commits whose author matches {@code text} ({@code git log -i -F --author}). */
    BitSet authoredBy(TextMatch text) {
        return ranksOf(authorOf, matching(text));
    }

    /** The ranks of the commits whose committer matches {@code text} ({@code git log -i -F --committer}). */
    BitSet committedBy(TextMatch text) {
        return ranksOf(committerOf, matching(text));
    }

    private boolean[] matching(TextMatch text) {
        boolean[] matches = new boolean[identities.size()];
        for (int id = 0; id < matches.length; id++) {
            matches[id] = text.in(identities.get(id).asGitShowsIt());
        }
        return matches;
    }

    private static BitSet ranksOf(int[] identityOf, boolean[] matches) {
        BitSet ranks = new BitSet(identityOf.length);
        for (int rank = 0; rank < identityOf.length; rank++) {
            int id = identityOf[rank];
            if (id >= 0 && matches[id]) {
                ranks.set(rank);
            }
        }
        return ranks;
    }

    /** Bytes held, for the cache. */
    long bytes() {
        long strings = 0;
        for (Identity identity : identities) {
            strings += 2L * (identity.name().length() + identity.email().length()) + 96;
        }
        return strings + 8L * authorOf.length + 64;
    }
}
