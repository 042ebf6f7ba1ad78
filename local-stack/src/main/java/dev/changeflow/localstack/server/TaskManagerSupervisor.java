package dev.changeflow.localstack.server;

import dev.changeflow.localstack.process.JavaProcess;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Starts a new TaskManager when one exits without being asked to (a crash, an OOM kill, a {@code
 * kill -9}), as systemd or Kubernetes do for a real standalone deployment: the JobManager then gets
 * its slots back and restarts the jobs from their last checkpoints by themselves. Replacements back
 * off (1 s, doubling up to 30 s) while TaskManagers keep dying, and start again at 1 s once one has
 * lived a minute. Every exit and replacement is logged as a warning, so the console says so.
 */
final class TaskManagerSupervisor implements AutoCloseable {

    /** Starts one more TaskManager and returns it. */
    interface Launcher {
        JavaProcess launch() throws Exception;
    }

    private static final Logger LOG = LoggerFactory.getLogger(TaskManagerSupervisor.class);
    private static final Duration CHECK = Duration.ofMillis(500);
    private static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    private static final Duration STABLE = Duration.ofMinutes(1);

    private final Supplier<List<JavaProcess>> taskManagers;
    private final Launcher launcher;
    private final Set<JavaProcess> handled = Collections.newSetFromMap(new IdentityHashMap<>());
    private final Thread thread;
    private volatile boolean closed;
    private Duration backoff = FIRST_BACKOFF;
    private long lastLaunchNanos = System.nanoTime();

    TaskManagerSupervisor(Supplier<List<JavaProcess>> taskManagers, Launcher launcher) {
        this.taskManagers = taskManagers;
        this.launcher = launcher;
        this.thread = new Thread(this::run, "flink-taskmanager-supervisor");
        thread.setDaemon(true);
    }

    TaskManagerSupervisor start() {
        thread.start();
        return this;
    }

    private void run() {
        try {
            while (!closed) {
                Thread.sleep(CHECK.toMillis());
                if (System.nanoTime() - lastLaunchNanos > STABLE.toNanos()) {
                    backoff = FIRST_BACKOFF;
                }
                for (JavaProcess tm : taskManagers.get()) {
                    if (closed) {
                        return;
                    }
                    if (!tm.isAlive() && handled.add(tm)) {
                        replace(tm);
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void replace(JavaProcess dead) throws InterruptedException {
        LOG.warn(
                "flink: {} exited without being asked to (exit code {}); starting a new"
                        + " TaskManager in {} s",
                dead,
                dead.exitCode().isPresent() ? dead.exitCode().getAsInt() : "?",
                backoff.toSeconds());
        Thread.sleep(backoff.toMillis());
        backoff =
                backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0
                        ? MAX_BACKOFF
                        : backoff.multipliedBy(2);
        if (closed) {
            return;
        }
        try {
            JavaProcess started = launcher.launch();
            lastLaunchNanos = System.nanoTime();
            LOG.warn("flink: {} started in place of the one that exited", started);
        } catch (Exception e) {
            LOG.warn("flink: could not start a TaskManager to replace {}", dead, e);
            handled.remove(dead); // try again after the next back-off
        }
    }

    /** Stops supervising: TaskManagers that exit from now on (e.g. on shutdown) stay gone. */
    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            thread.join(Duration.ofSeconds(30).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
