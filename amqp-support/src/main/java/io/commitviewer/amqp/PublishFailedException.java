package io.commitviewer.amqp;

import org.springframework.amqp.AmqpException;

/** A message the broker did not confirm as acked and routed; {@link #kind()} says what happened instead. */
public class PublishFailedException extends AmqpException {

    /** What happened instead of an ack. */
    public enum Kind {
        /** The send itself failed (no connection, channel closed) or the confirm failed. */
        SEND_FAILED,
        /** The broker refused the message. */
        NACKED,
        /** No queue is bound to take it ({@code mandatory}). */
        RETURNED,
        /** No answer within the confirm timeout. */
        TIMEOUT,
        /** The waiting thread was interrupted. */
        INTERRUPTED
    }

    private final Kind kind;

    public PublishFailedException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
