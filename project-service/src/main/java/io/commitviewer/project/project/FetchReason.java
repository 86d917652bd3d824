package io.commitviewer.project.project;

/** Why a fetch was requested. */
public enum FetchReason {
    /** The project's first fetch, when it was added. */
    CREATED,
    /** Someone asked for a refresh. */
    REFRESH,
    /** The commit store lost the project's commits (emptied, replaced, restored from an older backup): fetched again (ADR 0006). */
    STORE_RECOVERY
}
