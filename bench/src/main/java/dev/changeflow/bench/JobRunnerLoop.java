package dev.changeflow.bench;

import org.apache.flink.api.java.utils.ParameterTool;
import org.apache.flink.core.execution.JobClient;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The command loop of a benchmark job's JVM ({@link AnalyticsJobRunner}, {@link AlertsJobRunner}):
 * its heap is the TaskManager's. The arguments are {@code --engine NAME} and the job's {@code --key
 * value} options. Commands on standard input, one per line:
 *
 * <ul>
 *   <li>{@code start <input topic> <group id> <output topic>}: starts a job reading that topic from
 *       its beginning, writing its results to the output topic; answers {@code RUNNING}
 *   <li>{@code cancel}: cancels it; answers {@code CANCELLED} once it ended
 *   <li>{@code cpu}: answers {@code CPU <nanos>}, the CPU time this JVM used so far
 *   <li>{@code exit}: answers {@code HEAP ...} and {@code EXIT}, and exits
 * </ul>
 *
 * <p>The first answer is {@code READY}.
 */
final class JobRunnerLoop {

    /** Starts an engine's job. */
    interface Starter {
        JobClient start(Map<String, String> options, String topic, String group, String out)
                throws Exception;
    }

    private JobRunnerLoop() {}

    /**
     * Serves the commands, starting jobs with {@code sql} for {@code --engine sql} and with {@code
     * datastream} otherwise.
     */
    static void serve(String[] args, Starter datastream, Starter sql) throws Exception {
        Map<String, String> options = new LinkedHashMap<>(ParameterTool.fromArgs(args).toMap());
        Starter starter = "sql".equals(options.remove("engine")) ? sql : datastream;
        HeapMonitor heap = HeapMonitor.start(50);
        answer("READY");
        JobClient job = null;
        BufferedReader in =
                new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            String[] words = line.trim().split("\\s+");
            switch (words[0]) {
                case "start" -> {
                    job = starter.start(options, words[1], words[2], words[3]);
                    JobClients.awaitRunning(job);
                    answer("RUNNING " + job.getJobID());
                }
                case "cancel" -> {
                    job.cancel().get(1, TimeUnit.MINUTES);
                    try {
                        job.getJobExecutionResult().get(1, TimeUnit.MINUTES);
                    } catch (Exception e) {
                        // a cancelled job ends exceptionally
                    }
                    answer("CANCELLED");
                }
                case "cpu" -> answer("CPU " + IngestJobRunner.cpuNanos());
                case "exit" -> {
                    answer("HEAP " + heap.snapshot().toLine());
                    answer("EXIT");
                    System.exit(0);
                }
                default -> answer("ERROR unknown command " + line);
            }
        }
        System.exit(0);
    }

    private static void answer(String line) {
        System.out.println("BENCH " + line);
        System.out.flush();
    }
}
