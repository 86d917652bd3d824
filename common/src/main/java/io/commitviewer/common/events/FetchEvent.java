package io.commitviewer.common.events;

import java.util.UUID;

/** An event about one fetch of a project: the request and each of its outcomes. */
public sealed interface FetchEvent extends ProjectEvent permits FetchRequested, FetchStarted, FetchProgress, FetchSucceeded, FetchFailed {

    UUID fetchId();
}
