package io.commitviewer.amqp;

/** A message that can never be processed (unreadable, unknown type): dead-lettered at once, not retried. */
public class PoisonMessageException extends RuntimeException {

    public PoisonMessageException(String message) {
        super(message);
    }
}
