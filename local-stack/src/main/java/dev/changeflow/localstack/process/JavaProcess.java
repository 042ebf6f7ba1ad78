package dev.changeflow.localstack.process;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A server running in a JVM of its own (Elasticsearch, S3Mock, Flink's JobManager and TaskManager).
 * Output goes to a log file; the child halts itself when this JVM dies (see {@link
 * ParentWatchdog}), and {@link #close()} stops it and its descendants.
 */
public final class JavaProcess implements AutoCloseable {

    private final String name;
    private final Process process;
    private final Path log;

    private JavaProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    /** The exit code once the process has ended; empty while it runs. */
    public java.util.OptionalInt exitCode() {
        return process.isAlive()
                ? java.util.OptionalInt.empty()
                : java.util.OptionalInt.of(process.exitValue());
    }

    public Path log() {
        return log;
    }

    /** The last {@code lines} lines of the log, for error messages. */
    public String logTail(int lines) {
        return Processes.tail(log, lines);
    }

    /** Kills the process hard, as a crash or an OOM kill would (for failover tests). */
    public void kill() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        waitFor(10);
    }

    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        if (!waitFor(20)) {
            kill();
        }
    }

    private boolean waitFor(int seconds) {
        try {
            return process.waitFor(seconds, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public String toString() {
        return name + " (pid " + process.pid() + ", log " + log + ")";
    }

    /** Builds the command line of a child JVM. */
    public static final class Builder {
        private final String name;
        private final List<String> classpath = new ArrayList<>();
        private final List<String> jvmArgs = new ArrayList<>();
        private final List<String> args = new ArrayList<>();
        private final Map<String, String> env = new LinkedHashMap<>();
        private String mainClass;
        private Path workDir;
        private Path log;

        private Builder(String name) {
            this.name = name;
        }

        public Builder classpath(List<String> entries) {
            classpath.addAll(entries);
            return this;
        }

        public Builder jvmArgs(String... values) {
            jvmArgs.addAll(List.of(values));
            return this;
        }

        public Builder jvmArgs(List<String> values) {
            jvmArgs.addAll(values);
            return this;
        }

        public Builder mainClass(String value) {
            mainClass = value;
            return this;
        }

        public Builder args(String... values) {
            args.addAll(List.of(values));
            return this;
        }

        public Builder args(List<String> values) {
            args.addAll(values);
            return this;
        }

        public Builder env(String key, String value) {
            env.put(key, value);
            return this;
        }

        public Builder workDir(Path value) {
            workDir = value;
            return this;
        }

        public Builder log(Path value) {
            log = value;
            return this;
        }

        public JavaProcess start() throws IOException {
            if (mainClass == null || log == null) {
                throw new IllegalStateException(name + ": mainClass and log are required");
            }
            List<String> cp = new ArrayList<>(classpath);
            cp.add(ownCodeSource());
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(jvmArgs);
            command.add("-cp");
            command.add(String.join(File.pathSeparator, cp));
            command.add(ParentWatchdog.class.getName());
            command.add(Long.toString(ProcessHandle.current().pid()));
            command.add(mainClass);
            command.addAll(args);
            Files.createDirectories(log.getParent());
            ProcessBuilder builder =
                    new ProcessBuilder(command)
                            .redirectErrorStream(true)
                            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                            .redirectInput(ProcessBuilder.Redirect.PIPE);
            if (workDir != null) {
                Files.createDirectories(workDir);
                builder.directory(workDir.toFile());
            }
            builder.environment().putAll(env);
            Files.writeString(
                    log,
                    "# " + String.join(" ", command) + System.lineSeparator(),
                    java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
            return new JavaProcess(name, builder.start(), log);
        }

        private static String ownCodeSource() {
            try {
                return Path.of(
                                ParentWatchdog.class
                                        .getProtectionDomain()
                                        .getCodeSource()
                                        .getLocation()
                                        .toURI())
                        .toString();
            } catch (URISyntaxException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
