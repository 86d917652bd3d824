package io.commitviewer.commit.project;

import java.time.Duration;

/** Another writer held the project's lease for longer than a delivery waits: the delivery is requeued. */
public class LeaseBusyException extends RuntimeException {

    public LeaseBusyException(String projectId, Duration waited) {
        super("project " + projectId + " was held by another writer for more than " + waited);
    }
}
