package io.commitviewer.common.events;

import java.util.Optional;

/** Each event's routing key (also sent as the {@code type} header) and class. */
public enum EventType {
    FETCH_REQUESTED("fetch.requested", FetchRequested.class),
    FETCH_STARTED("fetch.started", FetchStarted.class),
    FETCH_PROGRESS("fetch.progress", FetchProgress.class),
    FETCH_SUCCEEDED("fetch.succeeded", FetchSucceeded.class),
    FETCH_FAILED("fetch.failed", FetchFailed.class),
    PROJECT_DELETED("project.deleted", ProjectDeleted.class),
    COMMIT_STORE_CHECKED("commit-store.checked", CommitStoreChecked.class);

    private final String routingKey;
    private final Class<? extends Event> eventClass;

    EventType(String routingKey, Class<? extends Event> eventClass) {
        this.routingKey = routingKey;
        this.eventClass = eventClass;
    }

    public String routingKey() {
        return routingKey;
    }

    public Class<? extends Event> eventClass() {
        return eventClass;
    }

    public static EventType of(Class<? extends Event> eventClass) {
        for (EventType type : values()) {
            if (type.eventClass == eventClass) {
                return type;
            }
        }
        throw new IllegalArgumentException("not an event class: " + eventClass);
    }

    /** The type named by a routing key or {@code type} header, if any. */
    public static Optional<EventType> fromRoutingKey(String routingKey) {
        for (EventType type : values()) {
            if (type.routingKey.equals(routingKey)) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }
}
