package io.commitviewer.commit.store;

/**
 * A branch of one generation, as stored ({@link Branches}).
 *
 * @param commitCount commits on the branch ({@code git rev-list --count NAME}); null when it was not counted
 */
public record StoredBranch(String name, String tip, Long commitCount) {
}
