package io.commitviewer.common.git;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Kills a process and everything it started. Children are collected before anything is killed:
 * once a parent dies its children are re-parented and can no longer be found from it.
 */
final class ProcessTree {

    private ProcessTree() {
    }

    static void kill(Process process) {
        ProcessHandle root = process.toHandle();
        List<ProcessHandle> descendants = root.descendants().toList();
        root.destroyForcibly();
        descendants.forEach(ProcessHandle::destroyForcibly);
        waitForExit(root);
        descendants.forEach(ProcessTree::waitForExit);
    }

    private static void waitForExit(ProcessHandle handle) {
        try {
            handle.onExit().get(2, TimeUnit.SECONDS);
        } catch (Exception e) {
            // still reported alive after SIGKILL: nothing more can be done from here
        }
    }
}
