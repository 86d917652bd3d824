package io.commitviewer.amqp;

import io.commitviewer.common.events.AmqpNames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.AmqpRejectAndDontRequeueException;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.retry.MessageRecoverer;

/**
 * Sends a message that failed for good to its queue's dead-letter queue with the reason in
 * headers ({@code x-exception-class}, {@code x-exception-message}, {@code x-original-queue}), and
 * waits for the broker's confirm. If that fails the message is rejected, and the queue's own
 * dead-letter exchange takes it.
 */
public class DeadLetterRecoverer implements MessageRecoverer {

    private static final Logger log = LoggerFactory.getLogger(DeadLetterRecoverer.class);

    private final ConfirmedPublisher publisher;

    public DeadLetterRecoverer(ConfirmedPublisher publisher) {
        this.publisher = publisher;
    }

    @Override
    public void recover(Message message, Throwable cause) {
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String queue = message.getMessageProperties().getConsumerQueue();
        var headers = message.getMessageProperties().getHeaders();
        headers.put("x-exception-class", root.getClass().getName());
        headers.put("x-exception-message", String.valueOf(root.getMessage()));
        headers.put("x-original-queue", queue);
        String messageId = message.getMessageProperties().getMessageId();
        try {
            publisher.publish(AmqpNames.DEAD_LETTER_EXCHANGE, AmqpNames.deadLetterQueue(queue), message,
                    messageId != null ? messageId : java.util.UUID.randomUUID().toString());
            log.warn("Message {} from {} dead-lettered: {}", messageId, queue, root.getMessage());
        } catch (PublishFailedException e) {
            throw new AmqpRejectAndDontRequeueException("could not dead-letter message: " + e.getMessage(), cause);
        }
    }
}
