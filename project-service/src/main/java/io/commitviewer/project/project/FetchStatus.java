package io.commitviewer.project.project;

/** The state of one fetch. */
public enum FetchStatus {
    QUEUED, FETCHING, SUCCEEDED, FAILED;

    boolean inProgress() {
        return this == QUEUED || this == FETCHING;
    }

    ProjectStatus asProjectStatus() {
        return switch (this) {
            case QUEUED -> ProjectStatus.QUEUED;
            case FETCHING -> ProjectStatus.FETCHING;
            case SUCCEEDED -> ProjectStatus.READY;
            case FAILED -> ProjectStatus.FAILED;
        };
    }
}
