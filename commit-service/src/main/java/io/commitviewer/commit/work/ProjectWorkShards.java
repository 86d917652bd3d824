package io.commitviewer.commit.work;

import io.commitviewer.commit.config.CommitServiceProperties;
import io.commitviewer.common.events.AmqpNames;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.rabbit.config.SimpleRabbitListenerContainerFactory;
import org.springframework.amqp.rabbit.listener.SimpleMessageListenerContainer;
import org.springframework.context.SmartLifecycle;

/**
 * Consumes the shard queues of the project work (fetch requests and deletions, routed by project
 * id: ADR 0010, item 7) that this instance owns among the live ones ({@link ShardMembers}): a
 * consumer of its own per shard, started when the shard comes to this instance and stopped when it
 * goes. The queues have a single active consumer, so while ownership moves (the instances' views
 * differ for up to one heartbeat) a shard is still taken by one consumer at a time. Correctness
 * never depends on it: the per-project lease does (ADR 0010); a shard that moves only costs its
 * projects' mirrors a clone on the new instance.
 */
final class ProjectWorkShards implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ProjectWorkShards.class);

    private final ShardMembers members;
    private final SimpleRabbitListenerContainerFactory containers;
    private final ProjectWork work;
    private final Duration heartbeatEvery;
    private final Duration finishBeforeHandover;
    private final Map<Integer, SimpleMessageListenerContainer> consumers = new TreeMap<>();
    private final AtomicInteger live = new AtomicInteger();
    private final BrokerProbe broker;
    private final Membership membership;
    private ScheduledExecutorService scheduler;
    private volatile boolean running;

    ProjectWorkShards(ShardMembers members, SimpleRabbitListenerContainerFactory containers, ProjectWork work,
            CommitServiceProperties properties, MeterRegistry meters, BrokerProbe broker) {
        this.members = members;
        this.broker = broker;
        this.membership = new Membership(members.instance(), properties.shards().lapse(), AmqpNames.PROJECT_WORK_SHARDS,
                System.nanoTime());
        this.containers = containers;
        this.work = work;
        this.heartbeatEvery = properties.shards().heartbeatEvery();
        this.finishBeforeHandover = properties.fetch().deadline();
        Gauge.builder("commitviewer.shards.owned", this, shards -> shards.owned().size())
                .description("Shard queues of the project work this instance consumes").register(meters);
        Gauge.builder("commitviewer.shards.instances", live, AtomicInteger::get)
                .description("commit-service instances alive, as this one last saw them").register(meters);
    }

    /** The shards this instance consumes now. */
    synchronized Set<Integer> owned() {
        return Set.copyOf(consumers.keySet());
    }

    /**
     * Says this instance is alive, and takes or gives up shards as the live instances split them
     * now — or, cut off from RabbitMQ or MongoDB, gives them up ({@link Membership}).
     */
    void rebalance() {
        long sent = System.nanoTime();
        Membership.Tick tick;
        if (!broker.reachable()) {
            tick = membership.brokerUnreachable();
        } else {
            try {
                List<String> alive = members.heartbeat();
                live.set(alive.size());
                tick = membership.heartbeat(alive, sent);
            } catch (RuntimeException e) {
                tick = membership.heartbeatFailed(System.nanoTime());
                if (tick.consume() == null) {
                    log.warn("Could not tell MongoDB this instance is alive ({}); keeping shards {} until the lapse", e.getMessage(),
                            owned());
                }
            }
        }
        if (tick.leave()) {
            try {
                members.leave();
            } catch (RuntimeException e) {
                log.debug("Could not leave the instances either: {}", e.toString());
            }
        }
        if (tick.consume() != null) {
            if (tick.why() != null && !owned().isEmpty()) {
                log.warn("{}: giving up shards {} for the other instances", tick.why(), owned());
            }
            apply(tick.consume());
        }
    }

    private synchronized void apply(Set<Integer> owned) {
        if (!running || owned.equals(consumers.keySet())) {
            return;
        }
        for (int shard : Set.copyOf(consumers.keySet())) {
            if (!owned.contains(shard)) {
                SimpleMessageListenerContainer container = consumers.remove(shard);
                // cancelled at once, so the queue's next consumer takes what follows; the work in hand finishes
                // and is acked here (up to a fetch's deadline), on a thread of its own so the heartbeat goes on
                Thread handover = new Thread(() -> {
                    container.stop();
                    log.info("Gave up shard {}", shard);
                }, "project-work-handover-" + shard);
                handover.setDaemon(true);
                handover.start();
            }
        }
        for (int shard : owned) {
            consumers.computeIfAbsent(shard, this::consume);
        }
        log.info("Consuming project-work shards {} as instance {}", consumers.keySet(), members.instance());
    }

    private SimpleMessageListenerContainer consume(int shard) {
        SimpleMessageListenerContainer container = containers.createListenerContainer();
        container.setQueueNames(AmqpNames.projectWorkQueue(shard));
        container.setConcurrentConsumers(1);
        container.setMessageListener(work);
        container.setShutdownTimeout(finishBeforeHandover.toMillis());
        container.setListenerId("project-work-" + shard);
        container.afterPropertiesSet();
        container.start();
        return container;
    }

    @Override
    public void start() {
        running = true;
        scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "project-work-shards");
            thread.setDaemon(true);
            return thread;
        });
        scheduler.scheduleWithFixedDelay(this::rebalance, 0, heartbeatEvery.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void stop() {
        scheduler.shutdownNow();
        synchronized (this) {
            running = false;
            // a stopping instance does not wait for a long fetch: the delivery returns to the queue
            consumers.values().forEach(container -> container.setShutdownTimeout(5_000));
            consumers.values().forEach(SimpleMessageListenerContainer::stop);
            consumers.clear();
        }
        broker.close();
        try {
            members.leave();
        } catch (RuntimeException e) {
            log.warn("Could not leave the instances ({}); the others take this one's shards after the lapse", e.getMessage());
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
