package io.commitviewer.commit.commits;

import io.commitviewer.commit.project.ProjectState;

/** The body of a 202 while the project's first fetch is queued or running. */
public record CommitErrorBody(String projectId, ProjectState.Status status, String message) {
}
