package dev.changeflow.bench;

import dev.changeflow.localstack.process.ParentWatchdog;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The ingest job on a local MiniCluster in a child JVM ({@link IngestJobRunner}), with the
 * benchmark's classpath, Flink's Java 17 flags and its own heap, halted if this JVM dies.
 */
final class JobProcess implements AutoCloseable {

    private final Process process;
    private final Writer stdin;
    private final BlockingQueue<String> answers = new LinkedBlockingQueue<>();
    private final Path log;

    private JobProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
        this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        Thread reader =
                new Thread(() -> readAnswers(process.getInputStream()), "job-process-stdout");
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Starts the job with {@code options} ({@code --key value} pairs) and waits until it runs.
     *
     * @param heap the child JVM's {@code -Xmx}, e.g. {@code 2g}
     * @param jvmOptions more JVM options; {@code {name}} in them is replaced by {@code name}
     * @param workDir holds the child's log and temporary files
     */
    static JobProcess start(
            Map<String, String> options,
            String heap,
            List<String> jvmOptions,
            Path workDir,
            String name)
            throws IOException, InterruptedException {
        return start(
                IngestJobRunner.class.getName(),
                options,
                heap,
                jvmOptions,
                workDir,
                name,
                "RUNNING");
    }

    /**
     * Starts {@code mainClass} (a runner answering on standard output, see {@link IngestJobRunner})
     * with {@code options} and waits for its first answer {@code ready}.
     */
    static JobProcess start(
            String mainClass,
            Map<String, String> options,
            String heap,
            List<String> jvmOptions,
            Path workDir,
            String name,
            String ready)
            throws IOException, InterruptedException {
        Path tmp = Files.createDirectories(workDir.resolve("tmp"));
        Path log = workDir.resolve(name + ".log");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx" + heap);
        command.add("-Xms256m");
        command.addAll(flinkJava17Options());
        command.add("-Djava.io.tmpdir=" + tmp);
        command.add("-Dbench.log.file=" + log);
        for (String option : jvmOptions) {
            command.add(option.replace("{name}", name));
        }
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(ParentWatchdog.class.getName());
        command.add(Long.toString(ProcessHandle.current().pid()));
        command.add(mainClass);
        for (Map.Entry<String, String> option : options.entrySet()) {
            command.add("--" + option.getKey());
            command.add(option.getValue());
        }
        Process process =
                new ProcessBuilder(command)
                        .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
                        .start();
        JobProcess job = new JobProcess(process, log);
        try {
            job.await(ready, Duration.ofMinutes(3));
        } catch (RuntimeException e) {
            job.close();
            throw e;
        }
        return job;
    }

    /** Stops the job with a savepoint into {@code dir}; returns the savepoint's path. */
    String stopWithSavepoint(Path dir) throws IOException, InterruptedException {
        send("stop " + dir.toUri());
        return await("SAVEPOINT", Duration.ofMinutes(3));
    }

    /** Starts the job again from {@code savepoint} in the same JVM, and waits until it runs. */
    void restore(String savepoint) throws IOException, InterruptedException {
        send("restore " + savepoint);
        await("RUNNING", Duration.ofMinutes(3));
    }

    /** Starts a Java Flight Recorder recording ({@code profile} settings) in the job's JVM. */
    void startRecording() throws IOException, InterruptedException {
        jcmd("JFR.start", "name=bench", "settings=profile");
    }

    /** Stops the recording and writes it to {@code file}. */
    void stopRecording(Path file) throws IOException, InterruptedException {
        jcmd("JFR.stop", "name=bench", "filename=" + file);
    }

    private void jcmd(String... command) throws IOException, InterruptedException {
        List<String> line = new ArrayList<>();
        line.add(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString());
        line.add(Long.toString(process.pid()));
        line.addAll(Arrays.asList(command));
        Process jcmd = new ProcessBuilder(line).redirectErrorStream(true).start();
        String out = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!jcmd.waitFor(1, TimeUnit.MINUTES) || jcmd.exitValue() != 0) {
            throw new IllegalStateException("jcmd " + line + " failed: " + out);
        }
    }

    /** Sends {@code command} and waits for the answer starting with {@code answer}; its rest. */
    String call(String command, String answer, Duration timeout)
            throws IOException, InterruptedException {
        send(command);
        return await(answer, timeout);
    }

    /** CPU time the job's JVM used so far, all threads. */
    long cpuNanos() throws IOException, InterruptedException {
        send("cpu");
        return Long.parseLong(await("CPU", Duration.ofSeconds(30)));
    }

    /** Cancels the job and waits until it ended. */
    void cancel() throws IOException, InterruptedException {
        send("cancel");
        await("CANCELLED", Duration.ofMinutes(2));
    }

    /** Ends the JVM; returns its heap figures. */
    HeapMonitor.Snapshot exit() throws IOException, InterruptedException {
        send("exit");
        HeapMonitor.Snapshot heap =
                HeapMonitor.Snapshot.parse(await("HEAP", Duration.ofMinutes(1)));
        await("EXIT", Duration.ofMinutes(1));
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        return heap;
    }

    private void send(String command) throws IOException {
        stdin.write(command + "\n");
        stdin.flush();
    }

    /** Waits for the answer starting with {@code word}; returns the rest of its line. */
    private String await(String word, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            String line =
                    left > 0
                            ? answers.poll(Math.min(left, 200_000_000L), TimeUnit.NANOSECONDS)
                            : null;
            if (line != null) {
                if (line.equals(word) || line.startsWith(word + " ")) {
                    return line.substring(word.length()).trim();
                }
                continue;
            }
            if (!process.isAlive() && answers.isEmpty()) {
                throw new IllegalStateException(
                        "the job's JVM exited ("
                                + process.exitValue()
                                + ") before "
                                + word
                                + ":\n"
                                + tail());
            }
            if (left <= 0) {
                throw new IllegalStateException(
                        "no " + word + " from the job's JVM in " + timeout + ":\n" + tail());
            }
        }
    }

    private void readAnswers(InputStream out) {
        try (BufferedReader reader =
                new BufferedReader(new InputStreamReader(out, StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.startsWith("BENCH ")) {
                    answers.add(line.substring(6));
                }
            }
        } catch (IOException e) {
            // the process ended
        }
    }

    private String tail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log at " + log + ")";
        }
    }

    /**
     * Flink's {@code --add-opens} list, kept once in the parent pom and filtered into local-stack.
     */
    static List<String> flinkJava17Options() throws IOException {
        try (InputStream in =
                JobProcess.class.getResourceAsStream("/META-INF/changeflow/java17.options")) {
            if (in == null) {
                throw new IllegalStateException(
                        "no META-INF/changeflow/java17.options on the classpath");
            }
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
            return Arrays.asList(text.split("\\s+"));
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
