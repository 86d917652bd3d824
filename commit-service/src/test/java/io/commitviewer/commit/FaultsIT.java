package io.commitviewer.commit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.mongodb.ConnectionString;
import io.commitviewer.amqp.EventCodec;
import io.commitviewer.amqp.MessageTrace;
import io.commitviewer.common.events.AmqpNames;
import io.commitviewer.common.events.Event;
import io.commitviewer.common.events.FetchEvent;
import io.commitviewer.common.events.FetchRequested;
import io.commitviewer.common.events.FetchStarted;
import io.commitviewer.common.events.FetchSucceeded;
import io.commitviewer.testsupport.CommitPages;
import io.commitviewer.testsupport.FaultProxy;
import io.commitviewer.testsupport.GitHttpServer;
import io.commitviewer.testsupport.ServedRepository;
import io.commitviewer.testsupport.SyntheticHistory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.mongodb.autoconfigure.MongoClientSettingsBuilderCustomizer;
import org.springframework.boot.amqp.autoconfigure.RabbitConnectionDetails;
import org.springframework.boot.mongodb.autoconfigure.MongoConnectionDetails;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ContextConfiguration;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The fetch path's promises under the faults of a real network (issue 23), on the service with
 * its MongoDB behind a {@link FaultProxy}: a reply lost after the write applied, a store cut off
 * mid-story. Each test names the finding it covers; each failed before its fix.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"management.server.port=0", "commitviewer.fetch.max-attempts=2", "commitviewer.fetch.initial-backoff=100ms",
            "commitviewer.fetch.deadline=15s", "commitviewer.git.fetch-timeout=5s", "commitviewer.mongo.socket-timeout=2s",
            "commitviewer.store.check-interval=1h", "commitviewer.projects.cache-ttl=0s", "commitviewer.lease.max-wait=100ms",
            "commitviewer.shards.heartbeat-every=1s", "commitviewer.shards.lapse=4s", "commitviewer.consumer.max-retries=1",
            "commitviewer.consumer.initial-backoff=100ms"})
@Import({InfrastructureConfiguration.class, FaultsIT.ProxiedMongo.class, FaultsIT.ProxiedBroker.class})
@ContextConfiguration(initializers = InfrastructureConfiguration.EmbeddedMongoWithoutDocker.class)
@DirtiesContext // its consumers must not stay on the shared queues after this class
class FaultsIT {

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final GitHttpServer SERVER = GitHttpServer.start(tempDir("served"));

    /** Every connection of the service to MongoDB goes through this proxy. */
    @TestConfiguration(proxyBeanMethods = false)
    static class ProxiedMongo {

        static volatile FaultProxy proxy;

        @Bean
        static BeanPostProcessor mongoThroughProxy() {
            return new BeanPostProcessor() {
                @Override
                public Object postProcessAfterInitialization(Object bean, String name) {
                    if (bean instanceof MongoConnectionDetails details) {
                        ConnectionString direct = details.getConnectionString();
                        String[] hostAndPort = direct.getHosts().get(0).split(":");
                        proxy = FaultProxy.mongo(hostAndPort[0], hostAndPort.length > 1 ? Integer.parseInt(hostAndPort[1]) : 27017);
                        ConnectionString proxied = new ConnectionString("mongodb://" + proxy.host() + ":" + proxy.port() + "/"
                                + (direct.getDatabase() == null ? "commitviewer" : direct.getDatabase()));
                        return (MongoConnectionDetails) () -> proxied;
                    }
                    return bean;
                }
            };
        }

        /** A store that does not answer is noticed in seconds, not the driver's 30 s. */
        @Bean
        MongoClientSettingsBuilderCustomizer quickServerSelection() {
            return settings -> settings.applyToClusterSettings(cluster -> cluster.serverSelectionTimeout(2, TimeUnit.SECONDS))
                    .applyToSocketSettings(socket -> socket.connectTimeout(2, TimeUnit.SECONDS));
        }
    }

    /** Every connection of the service (and of this test's template) to RabbitMQ goes through this proxy. */
    @TestConfiguration(proxyBeanMethods = false)
    static class ProxiedBroker {

        static volatile FaultProxy proxy;

        @Bean
        static BeanPostProcessor rabbitThroughProxy() {
            return new BeanPostProcessor() {
                @Override
                public Object postProcessAfterInitialization(Object bean, String name) {
                    if (bean instanceof RabbitConnectionDetails details) {
                        RabbitConnectionDetails.Address direct = details.getFirstAddress();
                        proxy = FaultProxy.tcp(direct.host(), direct.port());
                        List<RabbitConnectionDetails.Address> proxied = List.of(new RabbitConnectionDetails.Address(proxy.host(), proxy.port()));
                        return new RabbitConnectionDetails() {
                            @Override
                            public String getUsername() {
                                return details.getUsername();
                            }

                            @Override
                            public String getPassword() {
                                return details.getPassword();
                            }

                            @Override
                            public String getVirtualHost() {
                                return details.getVirtualHost();
                            }

                            @Override
                            public List<Address> getAddresses() {
                                return proxied;
                            }

                            @Override
                            public org.springframework.boot.ssl.SslBundle getSslBundle() {
                                return details.getSslBundle();
                            }
                        };
                    }
                    return bean;
                }
            };
        }
    }

    @DynamicPropertySource
    static void gitServer(DynamicPropertyRegistry registry) {
        registry.add("commitviewer.git.allowed-origins", SERVER::allowedOrigin);
        registry.add("commitviewer.cache.dir", () -> tempDir("mirrors").toString());
    }

    @LocalServerPort
    int port;

    @Autowired
    RabbitTemplate rabbit;

    @Autowired
    AmqpAdmin admin;

    @Autowired
    EventCodec codec;

    @Autowired
    org.springframework.data.mongodb.core.MongoTemplate mongo;

    /** Partitions make the clients' own threads throw: that is the fault, not a failure of the test that waits. */
    @org.junit.jupiter.api.BeforeAll
    static void otherThreadsMayFail() {
        org.awaitility.Awaitility.doNotCatchUncaughtExceptionsByDefault();
    }

    @AfterAll
    static void stopServer() {
        org.awaitility.Awaitility.reset();
        SERVER.close();
    }

    @BeforeEach
    void clear() {
        admin.purgeQueue(AmqpNames.FETCH_RESULTS_QUEUE, false);
        admin.purgeQueue(AmqpNames.PROJECT_WORK_DLQ, false);
    }

    @Autowired
    io.micrometer.core.instrument.MeterRegistry meters;

    @AfterEach
    void heal() {
        ProxiedMongo.proxy.heal();
        ProxiedBroker.proxy.heal();
    }

    /** A partition heals: the links work again, and the connections that timed out across it are gone. */
    private static void healAndReconnect(FaultProxy proxy) {
        proxy.heal();
        proxy.resetConnections();
    }

    /** The shard queues this instance consumes now. */
    private int owned() {
        return (int) meters.get("commitviewer.shards.owned").gauge().value();
    }

    private static Path tempDir(String name) {
        try {
            return Files.createTempDirectory("commit-service-faults-" + name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private ServedRepository repository(String name, int commits) {
        ServedRepository repository = SERVER.repository("acme", name);
        repository.load(SyntheticHistory.builder().commits(commits).branches(3).build());
        return repository;
    }

    private UUID request(UUID projectId, String name) {
        UUID fetchId = UUID.randomUUID();
        FetchRequested request = FetchRequested.of(projectId, SERVER.url("acme", name), fetchId);
        rabbit.send(AmqpNames.EXCHANGE, request.type().routingKey(), codec.toMessage(request, MessageTrace.of(request, null)));
        return fetchId;
    }

    /** The fetch's result: the first event for it after its start. */
    private Event result(UUID fetchId) {
        List<Event> events = new ArrayList<>();
        await().atMost(WAIT).until(() -> {
            Message message = rabbit.receive(AmqpNames.FETCH_RESULTS_QUEUE, 500);
            if (message != null && codec.fromMessage(message) instanceof FetchEvent event && event.fetchId().equals(fetchId)
                    && !(event instanceof FetchStarted)) {
                events.add((Event) event);
            }
            return !events.isEmpty();
        });
        return events.get(0);
    }

    private List<String> walk(UUID projectId) throws Exception {
        return CommitPages.walk("http://127.0.0.1:" + port, projectId.toString(), 100);
    }

    /**
     * Finding 1: the commit point applied, its reply lost. The fetch must be served as it
     * committed: the writer learns the outcome from the store, not from the lost reply, and takes
     * back nothing the served generation names — even when the store goes away right after.
     */
    @Test
    void aCommitPointWhoseReplyIsLostStaysCommitted() throws Exception {
        ServedRepository repository = repository("lost-reply", 700);
        UUID projectId = UUID.randomUUID();
        assertThat(result(request(projectId, "lost-reply"))).isInstanceOf(FetchSucceeded.class);
        repository.addCommits("main", 5);

        FaultProxy proxy = ProxiedMongo.proxy;
        // the commit point: the project's state replaced by a READY one with no fetch in progress
        AtomicInteger lost = proxy.loseReplyTo(FaultProxy.bsonString("update", "projects")
                .and(FaultProxy.bsonString("status", "READY")).and(FaultProxy.containing("currentFetchId").negate()), 1);
        // and the store unreachable once every generation of graphs but one was deleted (a take-back, or the clean-up
        // after a commit point): a take-back would not finish
        AtomicInteger cut = proxy.cutAfterReplyTo(FaultProxy.bsonString("delete", "graphs").and(FaultProxy.containing("$nin")));
        Event refreshed = result(request(projectId, "lost-reply"));
        // the clean-up after the commit point deletes old graphs too: the cut comes then, and the store answers once healed
        await().atMost(WAIT).until(() -> cut.get() == 1);
        proxy.heal();

        assertThat(lost.get()).as("the commit point's reply was lost").isEqualTo(1);
        assertThat(refreshed).isInstanceOf(FetchSucceeded.class);
        assertThat(((FetchSucceeded) refreshed).commitCount()).isEqualTo(705);
        // once the store answers again (the driver reconnects in a few seconds): exactly the new history
        await().atMost(WAIT).untilAsserted(() -> assertThat(walk(projectId)).containsExactlyElementsOf(repository.revListBranches()));
    }

    /**
     * Finding 3: a project another writer holds for longer than a delivery waits. The request
     * waits behind its queue as often as it takes — never counted toward the queue's delivery
     * limit, so never dead-lettered — and is fetched once the other writer is done.
     */
    @Test
    void aRequestForABusyProjectWaitsAsLongAsItTakesAndIsNeverDeadLettered() throws Exception {
        ServedRepository repository = repository("busy", 300);
        UUID projectId = UUID.randomUUID();
        var leases = mongo.getDb().getCollection(io.commitviewer.commit.store.StoreCollections.LEASES);
        // another instance's lease, renewed by MongoDB's clock while the test runs
        leases.insertOne(new org.bson.Document("_id", projectId.toString()).append("instance", "another-instance")
                .append("token", Long.MAX_VALUE / 2).append("renewedAt", new java.util.Date()));
        UUID fetchId = request(projectId, "busy");
        long limit = io.commitviewer.common.events.QueueSpec.DELIVERY_LIMIT;
        // each delivery waits 100 ms: well over the delivery limit's worth of deliveries, none dead-lettered
        Duration busy = Duration.ofMillis(400L * (limit + 5));
        await().during(busy).atMost(busy.plusSeconds(5)).pollInterval(Duration.ofMillis(200)).until(() -> {
            leases.updateOne(com.mongodb.client.model.Filters.eq("_id", projectId.toString()),
                    com.mongodb.client.model.Updates.currentDate("renewedAt"));
            return admin.getQueueInfo(AmqpNames.PROJECT_WORK_DLQ).getMessageCount() == 0;
        });

        leases.deleteOne(com.mongodb.client.model.Filters.eq("_id", projectId.toString()));
        Event result = result(fetchId);

        assertThat(result).isInstanceOf(FetchSucceeded.class);
        assertThat(walk(projectId)).containsExactlyElementsOf(repository.revListBranches());
    }

    /**
     * Finding 2: an instance cut off from RabbitMQ but not from MongoDB. It must stop saying it is
     * alive and give up its shards, so that the other instances consume them; once the link is
     * back it takes them again and fetches.
     */
    @Test
    void anInstanceCutOffFromRabbitMqGivesUpItsShardsAndTakesThemBackAfterwards() throws Exception {
        await().atMost(WAIT).until(() -> owned() == AmqpNames.PROJECT_WORK_SHARDS);
        var instances = mongo.getDb().getCollection(io.commitviewer.commit.store.StoreCollections.INSTANCES);
        assertThat(instances.countDocuments()).isEqualTo(1);

        ProxiedBroker.proxy.cutBoth();
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> owned() == 0);
            await().atMost(Duration.ofSeconds(10)).until(() -> instances.countDocuments() == 0); // the others count it gone at once
        } finally {
            healAndReconnect(ProxiedBroker.proxy);
        }

        await().atMost(WAIT).until(() -> owned() == AmqpNames.PROJECT_WORK_SHARDS);
        ServedRepository repository = repository("after-broker-partition", 200);
        UUID projectId = UUID.randomUUID();
        assertThat(result(request(projectId, "after-broker-partition"))).isInstanceOf(FetchSucceeded.class);
        assertThat(walk(projectId)).containsExactlyElementsOf(repository.revListBranches());
    }

    /**
     * Finding 5: an instance cut off from MongoDB but not from RabbitMQ. It gives up its shards
     * once the others count it gone; a deletion it took meanwhile is not dead-lettered (that left
     * the project's commits served) but waits, and is done once the store answers again.
     */
    @Test
    void anInstanceCutOffFromMongoDbGivesUpItsShardsAndLosesNoDeletion() throws Exception {
        repository("deleted-in-partition", 100);
        UUID projectId = UUID.randomUUID();
        assertThat(result(request(projectId, "deleted-in-partition"))).isInstanceOf(FetchSucceeded.class);
        await().atMost(WAIT).until(() -> owned() == AmqpNames.PROJECT_WORK_SHARDS);

        ProxiedMongo.proxy.cutBoth();
        try {
            io.commitviewer.common.events.ProjectDeleted deleted = io.commitviewer.common.events.ProjectDeleted.of(projectId);
            rabbit.send(AmqpNames.EXCHANGE, deleted.type().routingKey(), codec.toMessage(deleted, MessageTrace.of(deleted, null)));
            await().atMost(Duration.ofSeconds(30)).until(() -> owned() == 0);
            assertThat(admin.getQueueInfo(AmqpNames.PROJECT_WORK_DLQ).getMessageCount()).as("dead-lettered").isZero();
        } finally {
            healAndReconnect(ProxiedMongo.proxy);
        }

        await().atMost(WAIT).until(() -> owned() == AmqpNames.PROJECT_WORK_SHARDS);
        await().atMost(WAIT).until(() -> mongo.getDb().getCollection(io.commitviewer.commit.store.StoreCollections.DELETED_PROJECTS)
                .countDocuments(new org.bson.Document("_id", projectId.toString())) == 1);
        await().atMost(WAIT).until(() -> mongo.getDb().getCollection(io.commitviewer.commit.store.StoreCollections.COMMITS)
                .countDocuments(new org.bson.Document("projectId", projectId.toString())) == 0);
        assertThat(admin.getQueueInfo(AmqpNames.PROJECT_WORK_DLQ).getMessageCount()).isZero();
    }
}
