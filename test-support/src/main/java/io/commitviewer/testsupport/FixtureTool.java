package io.commitviewer.testsupport;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * The fixtures from the command line, for benchmarks and manual runs:
 * <pre>
 * java -cp test-support/target/classes io.commitviewer.testsupport.FixtureTool generate DIR COMMITS [BRANCHES]
 * java -cp test-support/target/classes io.commitviewer.testsupport.FixtureTool serve ROOT PORT
 * </pre>
 * {@code serve} answers for {@code ROOT/owner/repo.git} at {@code http://127.0.0.1:PORT/owner/repo} until killed.
 */
public final class FixtureTool {

    private FixtureTool() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length >= 3 && args[0].equals("generate")) {
            long start = System.nanoTime();
            SyntheticHistory.Summary summary = SyntheticHistory.builder()
                    .commits(Integer.parseInt(args[2]))
                    .branches(args.length > 3 ? Integer.parseInt(args[3]) : 5)
                    .build()
                    .writeTo(Path.of(args[1]));
            System.out.printf("%s in %d ms%n", summary, (System.nanoTime() - start) / 1_000_000);
        } else if (args.length == 3 && args[0].equals("serve")) {
            GitHttpServer server = GitHttpServer.start(Path.of(args[1]), Integer.parseInt(args[2]));
            System.out.println("serving " + server.root() + " at " + server.origin());
            Runtime.getRuntime().addShutdownHook(new Thread(server::close));
            new CountDownLatch(1).await();
        } else if (args.length == 4 && args[0].equals("add")) {
            List<String> added = ServedRepository.init(Path.of(args[1])).addCommits(args[2], Integer.parseInt(args[3]));
            System.out.println(added.get(0));
        } else {
            System.err.println("usage: FixtureTool generate DIR COMMITS [BRANCHES] | serve ROOT PORT | add DIR BRANCH COUNT");
            System.exit(2);
        }
    }
}
