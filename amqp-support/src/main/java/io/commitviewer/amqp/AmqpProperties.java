package io.commitviewer.amqp;

import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * Settings under {@code commitviewer.amqp.*}, the same in both services.
 *
 * @param confirmTimeout how long a publish waits for the broker's confirm before it counts as failed
 */
@Validated
@ConfigurationProperties("commitviewer.amqp")
public record AmqpProperties(@NotNull Duration confirmTimeout) {
}
