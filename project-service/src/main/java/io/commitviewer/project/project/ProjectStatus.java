package io.commitviewer.project.project;

/** The state of a project's latest fetch. */
public enum ProjectStatus {
    QUEUED, FETCHING, READY, FAILED
}
