package io.commitviewer.amqp;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.connection.CorrelationData;
import org.springframework.amqp.rabbit.core.RabbitTemplate;

/**
 * The one way both services publish: with a correlated publisher confirm and mandatory routing,
 * so that a message counts as published only when the broker acked it and routed it to a queue.
 * Anything else — the send failed, the broker nacked it, returned it as unroutable, or did not
 * answer within {@link #timeout()} — is a {@link PublishFailedException} saying which. The
 * template must have {@code publisher-confirm-type: correlated}, {@code publisher-returns} and
 * {@code mandatory} set, as both services' {@code application.yml} do.
 */
public class ConfirmedPublisher {

    private final RabbitTemplate template;
    private final Duration timeout;

    public ConfirmedPublisher(RabbitTemplate template, Duration timeout) {
        this.template = template;
        this.timeout = timeout;
    }

    /** How long a publish waits for the broker's confirm. */
    public Duration timeout() {
        return timeout;
    }

    /** Publishes and waits for the outcome; returns only when the broker acked and routed the message. */
    public void publish(String exchange, String routingKey, Message message, String correlationId) {
        send(exchange, routingKey, message, correlationId).await(System.nanoTime() + timeout.toNanos());
    }

    /**
     * Sends without waiting: the outcome is {@link PendingPublish#await awaited} or
     * {@link PendingPublish#whenSettled observed}. A send that fails at once yields a pending
     * publish that has already failed.
     */
    public PendingPublish send(String exchange, String routingKey, Message message, String correlationId) {
        CorrelationData correlation = new CorrelationData(correlationId);
        try {
            template.send(exchange, routingKey, message, correlation);
            return new Pending(routingKey, correlation, null);
        } catch (RuntimeException e) {
            return new Pending(routingKey, correlation,
                    new PublishFailedException(PublishFailedException.Kind.SEND_FAILED, "send of " + routingKey + " failed: " + e.getMessage(), e));
        }
    }

    /** A message sent, its confirm perhaps still to come. */
    public interface PendingPublish {

        /**
         * Waits for the confirm until {@code deadlineNanos} ({@link System#nanoTime()} based, so that
         * a batch shares one deadline); returns if acked and routed, throws otherwise.
         */
        void await(long deadlineNanos);

        /** Calls {@code outcome} once the broker answered: with null when acked and routed, else the failure. No timeout. */
        void whenSettled(Consumer<PublishFailedException> outcome);
    }

    private final class Pending implements PendingPublish {
        private final String routingKey;
        private final CorrelationData correlation;
        private final PublishFailedException sendFailure;

        private Pending(String routingKey, CorrelationData correlation, PublishFailedException sendFailure) {
            this.routingKey = routingKey;
            this.correlation = correlation;
            this.sendFailure = sendFailure;
        }

        @Override
        public void await(long deadlineNanos) {
            if (sendFailure != null) {
                throw sendFailure;
            }
            CorrelationData.Confirm confirm;
            try {
                confirm = correlation.getFuture().get(Math.max(1, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                throw new PublishFailedException(PublishFailedException.Kind.TIMEOUT,
                        "no confirm for " + routingKey + " within " + timeout, e);
            } catch (ExecutionException e) {
                throw new PublishFailedException(PublishFailedException.Kind.SEND_FAILED,
                        "confirm of " + routingKey + " failed: " + e.getCause().getMessage(), e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new PublishFailedException(PublishFailedException.Kind.INTERRUPTED,
                        "interrupted while waiting for the confirm of " + routingKey, e);
            }
            check(confirm);
        }

        @Override
        public void whenSettled(Consumer<PublishFailedException> outcome) {
            if (sendFailure != null) {
                outcome.accept(sendFailure);
                return;
            }
            correlation.getFuture().whenComplete((confirm, error) -> {
                if (error != null) {
                    outcome.accept(new PublishFailedException(PublishFailedException.Kind.SEND_FAILED,
                            "confirm of " + routingKey + " failed: " + error.getMessage(), error));
                    return;
                }
                try {
                    check(confirm);
                    outcome.accept(null);
                } catch (PublishFailedException failed) {
                    outcome.accept(failed);
                }
            });
        }

        private void check(CorrelationData.Confirm confirm) {
            if (!confirm.ack()) {
                throw new PublishFailedException(PublishFailedException.Kind.NACKED,
                        "broker nacked " + routingKey + ": " + confirm.reason(), null);
            }
            if (correlation.getReturned() != null) {
                throw new PublishFailedException(PublishFailedException.Kind.RETURNED,
                        routingKey + " was unroutable: " + correlation.getReturned().getReplyText(), null);
            }
        }
    }
}
