package io.commitviewer.amqp;

import io.commitviewer.common.events.Correlation;
import io.commitviewer.common.events.Event;
import io.commitviewer.common.events.FetchEvent;
import io.commitviewer.common.events.ProjectEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.MDC;
import org.springframework.amqp.core.MessageProperties;

/**
 * The correlation ids a message carries in its headers ({@link Correlation}): the HTTP request
 * that caused it, its project and its fetch. The publisher writes them; the consumer puts them
 * into its MDC for as long as it handles the message, so that both services' log lines of one
 * request and one fetch carry the same ids.
 */
public record MessageTrace(String requestId, String projectId, String fetchId) {

    private static final int MAX_LENGTH = 128;

    /** The ids of an event, with the request id given (null when no request caused it). */
    public static MessageTrace of(Event event, String requestId) {
        return new MessageTrace(requestId, event instanceof ProjectEvent project ? project.projectId().toString() : null,
                event instanceof FetchEvent fetch ? fetch.fetchId().toString() : null);
    }

    /** The ids of an event, with the request id of the current log context. */
    public static MessageTrace ofCurrentRequest(Event event) {
        return of(event, MDC.get(Correlation.REQUEST_ID));
    }

    void writeTo(MessageProperties properties) {
        put(properties, Correlation.REQUEST_ID_HEADER, requestId);
        put(properties, Correlation.PROJECT_ID_HEADER, projectId);
        put(properties, Correlation.FETCH_ID_HEADER, fetchId);
    }

    private static void put(MessageProperties properties, String header, String value) {
        if (value != null) {
            properties.setHeader(header, value);
        }
    }

    /**
     * Puts the ids found in the headers into the MDC until the returned scope is closed, which
     * takes them out again. Values that are not short printable text are ignored.
     */
    public static AutoCloseable restore(MessageProperties properties) {
        Map<String, Object> headers = properties.getHeaders();
        List<MDC.MDCCloseable> scope = new ArrayList<>(3);
        restore(headers, Correlation.REQUEST_ID_HEADER, Correlation.REQUEST_ID, scope);
        restore(headers, Correlation.PROJECT_ID_HEADER, Correlation.PROJECT_ID, scope);
        restore(headers, Correlation.FETCH_ID_HEADER, Correlation.FETCH_ID, scope);
        return () -> scope.forEach(MDC.MDCCloseable::close);
    }

    private static void restore(Map<String, Object> headers, String header, String key, List<MDC.MDCCloseable> scope) {
        Object value = headers.get(header);
        if (value != null) {
            String text = value.toString();
            if (text.length() <= MAX_LENGTH && text.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
                scope.add(MDC.putCloseable(key, text));
            }
        }
    }
}
