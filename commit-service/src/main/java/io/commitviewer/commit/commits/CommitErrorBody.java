package io.commitviewer.commit.commits;

/** The body of a 202 while the project's first fetch is queued or running. */
public record CommitErrorBody(String projectId, String status, String message) {
}
