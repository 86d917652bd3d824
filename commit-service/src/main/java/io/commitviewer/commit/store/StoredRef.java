package io.commitviewer.commit.store;

/**
 * A branch or a tag of one generation, as stored ({@link Refs}).
 *
 * @param tip         the commit it names (a tag's, peeled)
 * @param commitCount commits in its history ({@code git rev-list --count NAME}); null when it was not counted
 */
public record StoredRef(String name, String tip, Long commitCount) {
}
