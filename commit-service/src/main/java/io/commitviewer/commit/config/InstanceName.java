package io.commitviewer.commit.config;

import java.util.UUID;

/**
 * This instance's one name among the commit-service instances: in its heartbeat (which shards it
 * consumes) and in the leases it holds (ADR 0010). {@code commitviewer.shards.instance-id} where
 * set — stable across restarts where the mirrors are —, else the host name and a random suffix.
 */
public record InstanceName(String value) {

    static InstanceName of(CommitServiceProperties.Shards shards) {
        String configured = shards.instanceId();
        return new InstanceName(configured != null && !configured.isBlank() ? configured
                : System.getenv().getOrDefault("HOSTNAME", "commit-service") + "-" + UUID.randomUUID().toString().substring(0, 8));
    }
}
