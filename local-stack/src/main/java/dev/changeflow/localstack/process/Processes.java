package dev.changeflow.localstack.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/** Small helpers for native server processes (PostgreSQL) and privilege dropping. */
public final class Processes {

    private Processes() {}

    public static boolean isRoot() {
        return new com.sun.security.auth.module.UnixSystem().getUid() == 0;
    }

    public static boolean userExists(String user) {
        try {
            return run(List.of("id", "-u", user), null, Duration.ofSeconds(10)) == 0;
        } catch (Exception e) {
            return false;
        }
    }

    /** The prefix that runs a command as {@code user} with that user's primary group. */
    public static List<String> setprivAs(String user) throws IOException, InterruptedException {
        String uid = output(List.of("id", "-u", user)).trim();
        String gid = output(List.of("id", "-g", user)).trim();
        return List.of("setpriv", "--reuid=" + uid, "--regid=" + gid, "--clear-groups", "--");
    }

    public static void chown(Path path, String user) throws IOException, InterruptedException {
        String gid = output(List.of("id", "-g", user)).trim();
        if (run(
                        List.of("chown", "-R", user + ":" + gid, path.toString()),
                        null,
                        Duration.ofMinutes(1))
                != 0) {
            throw new IOException("chown " + user + " " + path + " failed");
        }
    }

    /**
     * {@code preferred} when every ancestor lets other users through (an unprivileged server user
     * must reach its data), else a directory under the system temp dir.
     */
    public static Path worldTraversable(Path preferred, String name) throws IOException {
        Path abs = preferred.toAbsolutePath();
        Files.createDirectories(abs);
        for (Path p = abs; p != null; p = p.getParent()) {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p);
            if (!perms.contains(PosixFilePermission.OTHERS_EXECUTE)) {
                Path fallback =
                        Path.of("/tmp", "changeflow-" + name + "-" + Math.abs(abs.hashCode()));
                Files.createDirectories(fallback);
                return fallback;
            }
        }
        return abs;
    }

    /** Runs a short command to completion; output is appended to {@code log} when given. */
    public static int run(List<String> command, Path log, Duration timeout)
            throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        if (log != null) {
            builder.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        } else {
            builder.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        }
        Process p = builder.start();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", command) + " timed out");
        }
        if (p.exitValue() != 0 && log != null) {
            throw new IOException(
                    String.join(" ", command)
                            + " exited with "
                            + p.exitValue()
                            + ":\n"
                            + tail(log, 20));
        }
        return p.exitValue();
    }

    public static String output(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + ": " + out);
        }
        return out;
    }

    /**
     * Makes sure a native server dies with this JVM even when the JVM is killed hard (no shutdown
     * hook runs then): a small shell loop watches this JVM and terminates {@code server} once it is
     * gone. Destroy the returned watcher when stopping the server normally.
     */
    public static Process stopWithThisJvm(ProcessHandle server) throws IOException {
        long jvm = ProcessHandle.current().pid();
        return new ProcessBuilder(
                        "sh",
                        "-c",
                        "while kill -0 "
                                + jvm
                                + " 2>/dev/null; do sleep 1; done; kill -TERM "
                                + server.pid()
                                + " 2>/dev/null")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
    }

    /** The child process of this JVM whose command line contains all of {@code parts}. */
    public static java.util.Optional<ProcessHandle> descendant(String... parts) {
        return ProcessHandle.current()
                .descendants()
                .filter(
                        p -> {
                            String line =
                                    p.info().commandLine().orElse("")
                                            + " "
                                            + String.join(
                                                    " ",
                                                    p.info().arguments().orElse(new String[0]));
                            return java.util.Arrays.stream(parts).allMatch(line::contains);
                        })
                .findFirst();
    }

    /** Deletes {@code path} and everything below it; nothing happens when it does not exist. */
    public static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (var walk = Files.walk(path)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Terminates {@code process} politely, then hard after {@code grace}. */
    public static void stop(Process process, Duration grace) {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public static String tail(Path log, int lines) {
        try {
            List<String> all = new ArrayList<>(Files.readAllLines(log));
            return String.join(
                    System.lineSeparator(),
                    all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log at " + log + ")";
        }
    }
}
