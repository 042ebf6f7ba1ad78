package dev.changeflow.cli.sql;

import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.DeploymentOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.ResultKind;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs the statements of a script through one streaming {@link TableEnvironment}. It is loaded in
 * the classloader {@link SqlRunCommand} builds (Flink's {@code lib/} jars of {@code runtime-flink}
 * plus the script's connector jars), so it may only use Flink and JDK classes, and its entry point
 * takes JDK types only.
 *
 * <p>{@code SET 'k' = 'v'} and {@code RESET} change the session configuration; every other
 * statement goes to {@link TableEnvironment#executeSql}. On a cluster, jobs are submitted detached
 * with the connector jars shipped ({@code pipeline.jars}); locally each job runs in an in-process
 * MiniCluster and the engine waits for the jobs (or until {@code stopAfterMillis}, then cancels).
 */
public final class SqlEngine {

    private static final Pattern SET =
            Pattern.compile(
                    "^SET\\s+'((?:[^']|'')+)'\\s*=\\s*'((?:[^']|'')*)'$",
                    Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
    private static final Pattern SET_UNQUOTED =
            Pattern.compile("^SET\\s+([^\\s=']+)\\s*=\\s*(.*)$", Pattern.CASE_INSENSITIVE);
    private static final Pattern SHOW_SET = Pattern.compile("^SET$", Pattern.CASE_INSENSITIVE);
    private static final Pattern RESET =
            Pattern.compile(
                    "^RESET(?:\\s+'((?:[^']|'')+)')?$", Pattern.CASE_INSENSITIVE | Pattern.DOTALL);

    private SqlEngine() {}

    private record Job(JobClient client, int line, String text) {}

    /**
     * Runs the statements. Settings: {@code cluster} (host:port, absent for a local run), {@code
     * jars} (jar paths separated by the path separator: shipped to a cluster; locally the job's
     * libraries, so it gets a user-code classloader below this one; never empty), {@code
     * stopAfterMillis} (local runs: cancel the jobs after that long, 0 = wait for them).
     *
     * @return the exit code: 0 when every statement (and, locally, every job) succeeded
     */
    public static int run(
            Map<String, String> settings,
            List<Integer> lines,
            List<String> statements,
            PrintWriter out,
            PrintWriter err) {
        ClassLoader previous = Thread.currentThread().getContextClassLoader();
        ClassLoader own = SqlEngine.class.getClassLoader();
        Thread.currentThread().setContextClassLoader(own);
        try {
            return execute(settings, lines, statements, out, err, own);
        } finally {
            Thread.currentThread().setContextClassLoader(previous);
        }
    }

    private static int execute(
            Map<String, String> settings,
            List<Integer> lines,
            List<String> statements,
            PrintWriter out,
            PrintWriter err,
            ClassLoader classLoader) {
        String cluster = settings.get("cluster");
        boolean local = cluster == null;
        Configuration conf = new Configuration();
        List<String> jars = new ArrayList<>();
        for (String jar : settings.getOrDefault("jars", "").split(java.io.File.pathSeparator)) {
            if (!jar.isBlank()) {
                jars.add(new java.io.File(jar).toURI().toString());
            }
        }
        if (local) {
            // A local job without jars gets the JVM's system classloader as its user-code
            // classloader (Flink's BlobLibraryCacheManager), not this one: give it the jars, and
            // resolve parent-first so every class comes from this classloader.
            conf.set(PipelineOptions.JARS, jars);
            conf.setString("classloader.resolve-order", "parent-first");
        } else {
            int colon = cluster.lastIndexOf(':');
            conf.set(DeploymentOptions.TARGET, "remote");
            conf.set(RestOptions.ADDRESS, cluster.substring(0, colon));
            conf.set(RestOptions.PORT, Integer.parseInt(cluster.substring(colon + 1)));
            conf.set(DeploymentOptions.ATTACHED, false);
            conf.set(PipelineOptions.JARS, jars);
        }
        TableEnvironment env =
                TableEnvironment.create(
                        EnvironmentSettings.newInstance()
                                .inStreamingMode()
                                .withConfiguration(conf)
                                .withClassLoader(classLoader)
                                .build());
        Map<String, String> session = new LinkedHashMap<>();
        List<Job> jobs = new ArrayList<>();
        for (int i = 0; i < statements.size(); i++) {
            String text = statements.get(i);
            int line = lines.get(i);
            try {
                if (applySet(text, env, session, out)) {
                    continue;
                }
                if (local) {
                    // s3:// and other file systems read their keys (s3.endpoint, ...) only here
                    Configuration fs = new Configuration();
                    session.forEach(fs::setString);
                    FileSystem.initialize(fs, null);
                }
                TableResult result = env.executeSql(text);
                if (result.getJobClient().isPresent()) {
                    JobClient job = result.getJobClient().get();
                    out.printf("Job %s submitted (statement at line %d)%n", job.getJobID(), line);
                    out.flush();
                    jobs.add(new Job(job, line, text));
                } else if (result.getResultKind() == ResultKind.SUCCESS_WITH_CONTENT) {
                    try (CloseableIterator<Row> rows = result.collect()) {
                        rows.forEachRemaining(row -> out.println(row));
                    }
                } else {
                    out.printf("[INFO] OK (statement at line %d)%n", line);
                }
            } catch (Throwable e) {
                report(err, line, text, e);
                cancelAll(jobs);
                return 1;
            }
        }
        if (!local || jobs.isEmpty()) {
            return 0;
        }
        return await(jobs, Long.parseLong(settings.getOrDefault("stopAfterMillis", "0")), err);
    }

    /** Applies SET / RESET; false when the statement is neither. */
    private static boolean applySet(
            String text, TableEnvironment env, Map<String, String> session, PrintWriter out) {
        Configuration conf = env.getConfig().getConfiguration();
        Matcher set = SET.matcher(text);
        Matcher unquoted = SET_UNQUOTED.matcher(text);
        if (set.matches() || unquoted.matches()) {
            Matcher m = set.matches() ? set : unquoted;
            String key = m.group(1).replace("''", "'").trim();
            String value = m.group(2).replace("''", "'").trim();
            conf.setString(key, value);
            session.put(key, value);
            out.printf("[INFO] Session property %s = %s%n", key, value);
            return true;
        }
        if (SHOW_SET.matcher(text).matches()) {
            session.forEach((k, v) -> out.printf("'%s' = '%s'%n", k, v));
            return true;
        }
        Matcher reset = RESET.matcher(text);
        if (reset.matches()) {
            if (reset.group(1) == null) {
                session.keySet().forEach(conf::removeKey);
                session.clear();
            } else {
                String key = reset.group(1).replace("''", "'");
                conf.removeKey(key);
                session.remove(key);
            }
            out.println("[INFO] Session property reset");
            return true;
        }
        return false;
    }

    /**
     * Waits for the local jobs: the first failure fails the run; a deadline cancels them. A local
     * job's MiniCluster shuts down with the job, so the end is taken from the job's result, not
     * from polling its status (which fails once the MiniCluster is gone).
     */
    private static int await(List<Job> jobs, long stopAfterMillis, PrintWriter err) {
        long deadline =
                stopAfterMillis > 0 ? System.currentTimeMillis() + stopAfterMillis : Long.MAX_VALUE;
        List<CompletableFuture<JobExecutionResult>> results = new ArrayList<>();
        for (Job job : jobs) {
            results.add(job.client.getJobExecutionResult());
        }
        try {
            while (true) {
                boolean allDone = true;
                for (int i = 0; i < jobs.size(); i++) {
                    CompletableFuture<JobExecutionResult> result = results.get(i);
                    if (!result.isDone()) {
                        allDone = false;
                    } else if (result.isCompletedExceptionally()) {
                        try {
                            result.get();
                        } catch (ExecutionException e) {
                            Job job = jobs.get(i);
                            report(err, job.line, job.text, e.getCause());
                            cancelAll(jobs);
                            return 1;
                        }
                    }
                }
                if (allDone) {
                    return 0;
                }
                if (System.currentTimeMillis() >= deadline) {
                    cancelAll(jobs);
                    return 0;
                }
                Thread.sleep(200);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            cancelAll(jobs);
            return 130;
        } catch (Exception e) {
            err.println("changeflow sql: cannot follow the jobs: " + e);
            cancelAll(jobs);
            return 1;
        }
    }

    private static void cancelAll(List<Job> jobs) {
        for (Job job : jobs) {
            try {
                if (!job.client
                        .getJobStatus()
                        .get(30, TimeUnit.SECONDS)
                        .isGloballyTerminalState()) {
                    job.client.cancel().get(30, TimeUnit.SECONDS);
                }
            } catch (Exception ignored) {
                // the job ended on its own meanwhile
            }
        }
    }

    /** The failing statement (line and text), Flink's message and its root cause, on stderr. */
    static void report(PrintWriter err, int line, String text, Throwable e) {
        err.printf("changeflow sql: the statement at line %d failed:%n", line);
        for (String l : text.split("\n")) {
            err.println("  " + l);
        }
        err.println("Error: " + describe(e));
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root != e) {
            err.println("Root cause: " + describe(root));
        }
        if (Boolean.getBoolean("changeflow.sql.verbose")) {
            e.printStackTrace(err);
        }
        err.flush();
    }

    private static String describe(Throwable e) {
        String message = e.getMessage();
        return e.getClass().getName() + (message == null ? "" : ": " + message.strip());
    }
}
