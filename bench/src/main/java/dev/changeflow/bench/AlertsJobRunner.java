package dev.changeflow.bench;

import dev.changeflow.cli.sql.SqlScript;
import dev.changeflow.jobs.alerts.AlertsJob;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The job side of {@link AlertsBenchmark}, in a JVM of its own ({@link JobRunnerLoop}): runs either
 * {@link AlertsJob} ({@code --engine datastream}: Flink CEP, rules from the {@code rules.topic}
 * option's topic) or the script {@code sql/alerts.sql} itself ({@code --engine sql}:
 * MATCH_RECOGNIZE, the same thresholds fixed in the script) on a local MiniCluster. Both get the
 * benchmark's checkpoint interval and directory, state backend and parallelism; the script's own
 * {@code SET}s apply otherwise.
 */
public final class AlertsJobRunner {

    private static final Pattern SET =
            Pattern.compile("^SET\\s+'([^']+)'\\s*=\\s*'([^']*)'$", Pattern.CASE_INSENSITIVE);

    /** Options of the benchmark that win over the script's SETs. */
    private static final List<String> BENCH_SETTINGS =
            List.of(
                    "execution.checkpointing.interval",
                    "state.checkpoints.dir",
                    "state.backend.type",
                    "parallelism.default");

    private AlertsJobRunner() {}

    public static void main(String[] args) throws Exception {
        JobRunnerLoop.serve(args, AlertsJobRunner::datastream, AlertsJobRunner::sql);
    }

    private static JobClient datastream(
            Map<String, String> base, String topic, String group, String out) throws Exception {
        Map<String, String> o = new LinkedHashMap<>();
        base.forEach(
                (k, v) -> {
                    if (!k.startsWith("sql.")) {
                        o.put(k, v);
                    }
                });
        o.put("orders.topic", topic);
        o.put("group.id", group);
        o.put("alerts.topic", out);
        o.put("dead-letter.topic", out + ".dead-letters");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        String name = AlertsJob.prepare(Configuration.fromMap(o), env);
        return env.executeAsync(name);
    }

    /** The statements of {@code sql.script}, its variables set for this run. */
    private static JobClient sql(Map<String, String> base, String topic, String group, String out)
            throws Exception {
        Map<String, String> vars =
                Map.of(
                        "KAFKA_BOOTSTRAP", base.get("kafka.bootstrap-servers"),
                        "ORDERS_TOPIC", topic,
                        "GROUP_ID", group,
                        "ALERTS_TOPIC", out);
        List<SqlScript.Statement> statements =
                SqlScript.substitute(
                        SqlScript.split(Files.readString(Path.of(base.get("sql.script")))),
                        vars::get);
        Configuration conf = new Configuration();
        for (SqlScript.Statement s : statements) {
            Matcher set = SET.matcher(s.text().trim());
            if (set.matches() && !BENCH_SETTINGS.contains(set.group(1))) {
                conf.setString(set.group(1), set.group(2));
            }
        }
        for (String key : BENCH_SETTINGS) {
            if (base.containsKey(key)) {
                conf.setString(key, base.get(key));
            }
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        StreamTableEnvironment tables = StreamTableEnvironment.create(env);
        JobClient job = null;
        for (SqlScript.Statement s : statements) {
            if (SET.matcher(s.text().trim()).matches()) {
                continue;
            }
            TableResult result = tables.executeSql(s.text());
            if (result.getJobClient().isPresent()) {
                if (job != null) {
                    throw new IllegalStateException("the script starts more than one job");
                }
                job = result.getJobClient().get();
            }
        }
        if (job == null) {
            throw new IllegalStateException("the script starts no job");
        }
        return job;
    }
}
