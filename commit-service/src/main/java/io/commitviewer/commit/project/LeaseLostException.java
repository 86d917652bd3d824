package io.commitviewer.commit.project;

/**
 * A fenced write found a higher fencing token than its writer's: another writer took the project
 * (this one's lease lapsed while it was paused or cut off). The work stops; nothing it wrote is
 * served; the delivery is requeued (ADR 0010).
 */
public class LeaseLostException extends RuntimeException {

    public LeaseLostException(String projectId, long token, String how) {
        super("project " + projectId + ": the lease with token " + token + " was lost (" + how + ")");
    }
}
