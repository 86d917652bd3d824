package io.commitviewer.commit.commits;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import io.commitviewer.commit.store.StoredRef;
import io.commitviewer.commit.store.StoredCommit;

/** What the commits API returns. */
final class CommitResponses {

    private CommitResponses() {
    }

    record Person(String name, String email, String date) {
        static Person of(StoredCommit.Person person) {
            return new Person(person.name(), person.email(), person.date());
        }
    }

    /**
     * @param truncated fields cut at their cap ({@code message}, {@code author.name}, {@code parents}, …); absent when none
     * @param clamped   dates clamped into the years 0000–9999 or to UTC; absent when none
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Commit(String sha, List<String> parents, Person author, Person committer, String message, Boolean messageTruncated,
            List<String> truncated, List<String> clamped) {
        static Commit of(StoredCommit commit) {
            return new Commit(commit.sha(), commit.parents(), Person.of(commit.author()), Person.of(commit.committer()),
                    commit.message(), commit.messageTruncated() ? Boolean.TRUE : null,
                    commit.truncated().isEmpty() ? null : commit.truncated(), commit.clamped().isEmpty() ? null : commit.clamped());
        }
    }

    /**
     * @param nextCursor the next page's cursor; null on the last page, and in page mode
     * @param aheadBy    a comparison's ({@code base} and {@code head}) commits {@code head} has that {@code base} has not
     *                   ({@code git rev-list --count BASE..HEAD}), whatever the other filters; absent otherwise
     * @param behindBy   a comparison's commits {@code base} has that {@code head} has not ({@code git rev-list --count HEAD..BASE})
     */
    /**
     * @param complete false for a first look: the newest commits of a first fetch still running (ADR 0012),
     *                 {@code totalCount} the number known so far, no next page; true for every exact listing
     */
    record CommitPage(String projectId, long totalCount, List<Commit> items,
            @io.swagger.v3.oas.annotations.media.Schema(nullable = true) String nextCursor,
            @JsonInclude(JsonInclude.Include.NON_NULL) Long aheadBy, @JsonInclude(JsonInclude.Include.NON_NULL) Long behindBy,
            boolean complete) {
    }

    /** A person who authored commits of the project, and how many ({@code git shortlog -s -n -e --no-mailmap}). */
    record Author(String name, String email, long commitCount) {
        static Author of(CommitQueries.Author author) {
            return new Author(author.name(), author.email(), author.commitCount());
        }
    }

    /**
     * A branch or a tag.
     *
     * @param tip         the commit it names (a tag's, peeled)
     * @param commitCount commits in its history ({@code git rev-list --count NAME}); absent when it was not counted
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Branch(String name, String tip, Long commitCount) {
        static Branch of(StoredRef branch) {
            return new Branch(branch.name(), branch.tip(), branch.commitCount());
        }
    }

    /** A project's branches and tags, each by name, and the tags it skipped (on a tree or a blob, or past the limit). */
    record Refs(List<Branch> branches, List<Branch> tags, long skippedTags) {
        static Refs of(CommitQueries.Refs refs) {
            return new Refs(refs.branches().stream().map(Branch::of).toList(), refs.tags().stream().map(Branch::of).toList(),
                    refs.skippedTags());
        }
    }
}
