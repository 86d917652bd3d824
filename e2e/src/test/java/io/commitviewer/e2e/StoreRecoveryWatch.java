package io.commitviewer.e2e;

import java.net.http.HttpResponse;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads a project and its first page of commits through the gateway every 100 ms while the commit
 * store loses its data and gets it back, and remembers every status code of the commit reads and
 * every {@code status/statusReason} the project showed.
 */
final class StoreRecoveryWatch {

    interface Get {
        HttpResponse<String> get(String path) throws Exception;
    }

    record Seen(Set<Integer> commitStatuses, Set<String> projectStates) {
    }

    private final Set<Integer> commitStatuses = ConcurrentHashMap.newKeySet();
    private final Set<String> projectStates = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;

    private StoreRecoveryWatch(Get http, String projectId) {
        JsonMapper json = JsonMapper.builder().build();
        thread = new Thread(() -> {
            while (running.get()) {
                try {
                    commitStatuses.add(http.get("/api/projects/" + projectId + "/commits?limit=1").statusCode());
                    JsonNode project = json.readTree(http.get("/api/projects/" + projectId).body());
                    projectStates.add(project.get("status").asString() + "/" + project.path("statusReason").asString("-"));
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    commitStatuses.add(-1); // no answer at all: a failure too
                }
            }
        }, "store-recovery-watch");
        thread.setDaemon(true);
        thread.start();
    }

    static StoreRecoveryWatch start(Get http, String projectId) {
        return new StoreRecoveryWatch(http, projectId);
    }

    Seen stop() throws InterruptedException {
        running.set(false);
        thread.join(5_000);
        return new Seen(Set.copyOf(commitStatuses), Set.copyOf(projectStates));
    }
}
