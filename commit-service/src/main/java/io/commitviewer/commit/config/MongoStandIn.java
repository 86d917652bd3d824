package io.commitviewer.commit.config;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import java.util.concurrent.CountDownLatch;

/**
 * The MongoDB stand-in (mongo-java-server, in memory) as a process of its own, for machines
 * without MongoDB: the service then connects to it as to any MongoDB, and its memory and CPU are
 * not counted as the service's. Started by {@code scripts/run-local.sh} from the service jar:
 * <pre>java -cp commit-service.jar -Dloader.main=io.commitviewer.commit.config.MongoStandIn \
 *     org.springframework.boot.loader.launch.PropertiesLauncher PORT</pre>
 * Loopback only; stops on SIGTERM. Not for production: no persistence, no transactions, no
 * secondary indexes.
 */
public final class MongoStandIn {

    private MongoStandIn() {
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length != 1) {
            System.err.println("usage: MongoStandIn PORT");
            System.exit(2);
        }
        MongoServer server = new MongoServer(new MemoryBackend());
        server.bind("127.0.0.1", Integer.parseInt(args[0]));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.shutdownNow();
            stopped.countDown();
        }, "mongo-stand-in-shutdown"));
        System.out.println("MongoDB stand-in (mongo-java-server, in memory) on " + server.getLocalAddress());
        stopped.await();
    }
}
