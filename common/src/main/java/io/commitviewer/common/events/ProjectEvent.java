package io.commitviewer.common.events;

import java.util.UUID;

/** An event about one project. */
public sealed interface ProjectEvent extends Event permits FetchEvent, ProjectDeleted {

    UUID projectId();
}
