package io.commitviewer.amqp;

import java.time.Duration;
import org.aopalliance.intercept.MethodInterceptor;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.config.RetryInterceptorBuilder;
import org.springframework.amqp.rabbit.config.SimpleRabbitListenerContainerFactory;
import org.springframework.amqp.rabbit.retry.MessageRecoverer;
import org.springframework.core.retry.RetryException;
import org.springframework.core.retry.RetryPolicy;
import org.springframework.core.retry.RetryTemplate;

/**
 * How both services' consumers fail: a failure other than a {@link PoisonMessageException} is
 * retried in the consumer with exponential back-off, then the message goes to the recoverer (its
 * DLQ, with the reason); nothing is requeued to loop forever.
 */
public final class ConsumerRetries {

    private ConsumerRetries() {
    }

    public static MethodInterceptor interceptor(int maxRetries, Duration initialBackoff, Duration maxBackoff,
            MessageRecoverer recoverer) {
        return RetryInterceptorBuilder.stateless()
                .configureRetryPolicy(policy -> policy.maxRetries(maxRetries).delay(initialBackoff).multiplier(2)
                        .maxDelay(maxBackoff).predicate(Topology::transientFailure))
                .recoverer(recoverer)
                .build();
    }

    /**
     * Runs one message's work the way {@link #apply} retries a consumer, for a container that carries
     * other work too: a failure other than a {@link PoisonMessageException} is retried with back-off,
     * then (or at once for poison) the message goes to the recoverer.
     */
    public static void run(Message message, Runnable work, int maxRetries, Duration initialBackoff, Duration maxBackoff,
            MessageRecoverer recoverer) {
        RetryTemplate retries = new RetryTemplate(RetryPolicy.builder().maxRetries(maxRetries).delay(initialBackoff).multiplier(2)
                .maxDelay(maxBackoff).predicate(Topology::transientFailure).build());
        try {
            retries.execute(() -> {
                work.run();
                return null;
            });
        } catch (RetryException e) {
            recoverer.recover(message, e.getLastException());
        }
    }

    /**
     * For a consumer that decides about retries itself (commit-service's fetch requests): the
     * message's correlation ids in the MDC, no retry interceptor, and rejected messages not
     * requeued (an {@code ImmediateRequeueAmqpException} still requeues).
     */
    public static void applyWithoutRetries(SimpleRabbitListenerContainerFactory factory) {
        factory.setAdviceChain(new TraceAdvice());
        factory.setDefaultRequeueRejected(false);
    }

    /**
     * Applies {@link #interceptor} to a container factory, outside it the restoring of the message's
     * correlation ids into the MDC ({@link MessageTrace}), and turns off requeueing of rejected messages.
     */
    public static void apply(SimpleRabbitListenerContainerFactory factory, int maxRetries, Duration initialBackoff,
            Duration maxBackoff, MessageRecoverer recoverer) {
        factory.setAdviceChain(new TraceAdvice(), interceptor(maxRetries, initialBackoff, maxBackoff, recoverer));
        factory.setDefaultRequeueRejected(false);
    }
}
