package io.commitviewer.amqp;

import java.util.List;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.springframework.amqp.core.Message;

/**
 * Listener advice: the message's correlation ids ({@link MessageTrace}) are in the MDC while the
 * listener, its retries and its recoverer run.
 */
final class TraceAdvice implements MethodInterceptor {

    @Override
    public Object invoke(MethodInvocation invocation) throws Throwable {
        Message message = message(invocation.getArguments());
        if (message == null) {
            return invocation.proceed();
        }
        try (AutoCloseable scope = MessageTrace.restore(message.getMessageProperties())) {
            return invocation.proceed();
        }
    }

    private static Message message(Object[] arguments) {
        for (Object argument : arguments) {
            if (argument instanceof Message message) {
                return message;
            }
            if (argument instanceof List<?> list && !list.isEmpty() && list.get(0) instanceof Message first) {
                return first;
            }
        }
        return null;
    }
}
