package dev.changeflow.cli.cluster;

import dev.changeflow.localstack.server.FlinkRestClient;

import com.fasterxml.jackson.databind.JsonNode;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What {@code changeflow status} tells of one job, read from Flink's REST API: its state, restarts,
 * checkpoints, and the ingest job's per-table metrics ({@code RouteChanges}: snapshot rows,
 * changes, changes/s, capture lag) and dead letters.
 *
 * @param tables per table: Flink's REST API writes {@code _} for {@code .} (and for space, {@code
 *     :}, {@code ,}) in metric names; {@link #named} gives back the database's names
 * @param binlogPosition the binlog coordinate of the last streamed change ({@code RouteChanges}:
 *     {@code file sequence << 32 | offset}), or -1 (no binlog, nothing streamed yet)
 * @param binlogBytesBehind how many bytes of binlog the server wrote after that change, or -1 when
 *     not known ({@link #behind})
 */
record JobStatus(
        String id,
        String name,
        String state,
        long startTime,
        long durationMs,
        long restarts,
        Checkpoints checkpoints,
        long deadLetters,
        List<TableStatus> tables,
        long binlogPosition,
        long binlogBytesBehind) {

    /**
     * @param lastId the latest completed checkpoint's id, or -1
     * @param lastAckTime when it completed (epoch ms), or -1
     */
    record Checkpoints(
            long completed,
            long failed,
            long lastId,
            long lastAckTime,
            long lastSize,
            long lastDurationMs,
            long lastFailureTime) {

        /** Whether the newest attempt failed after a checkpoint had completed. */
        boolean failingSinceLast() {
            return lastId >= 0 && lastFailureTime > lastAckTime;
        }
    }

    /**
     * @param lagMs now minus the source time of the last streamed change, or -1 before one
     * @param estimatedRows the database's estimate of the table's rows (its statistics, no scan),
     *     or -1 when not known
     */
    record TableStatus(
            String table,
            long snapshotRows,
            long changes,
            double changesPerSecond,
            long lagMs,
            long estimatedRows) {}

    /** A table's name as Flink's REST API shows it in metric names. */
    static String metricName(String table) {
        return table.replace(' ', '_').replace('.', '_').replace(':', '_').replace(',', '_');
    }

    /**
     * This status with the database's own table names and row estimates ({@code schema.table} or
     * {@code db.table} to rows, as {@link TableEstimates} reads them): a metric name that exactly
     * one database table maps to gets that table's name and estimate.
     */
    JobStatus named(Map<String, Long> estimates) {
        Map<String, List<String>> byMetricName = new LinkedHashMap<>();
        estimates
                .keySet()
                .forEach(
                        table ->
                                byMetricName
                                        .computeIfAbsent(metricName(table), k -> new ArrayList<>())
                                        .add(table));
        List<TableStatus> named = new ArrayList<>();
        for (TableStatus t : tables) {
            List<String> candidates = byMetricName.getOrDefault(t.table(), List.of());
            String table = candidates.size() == 1 ? candidates.get(0) : t.table();
            named.add(
                    new TableStatus(
                            table,
                            t.snapshotRows(),
                            t.changes(),
                            t.changesPerSecond(),
                            t.lagMs(),
                            candidates.size() == 1 ? estimates.get(table) : t.estimatedRows()));
        }
        return copy(named, binlogBytesBehind);
    }

    /** This status with how far its binlog position is behind the server's {@code binlog}. */
    JobStatus behind(DatabaseStatus.Binlog binlog) {
        return binlog == null || binlogPosition < 0
                ? this
                : copy(
                        tables,
                        binlog.bytesAfter(binlogPosition >>> 32, binlogPosition & 0xFFFFFFFFL));
    }

    private JobStatus copy(List<TableStatus> tables, long binlogBytesBehind) {
        return new JobStatus(
                id,
                name,
                state,
                startTime,
                durationMs,
                restarts,
                checkpoints,
                deadLetters,
                tables,
                binlogPosition,
                binlogBytesBehind);
    }

    private static final Pattern TABLE_METRIC =
            Pattern.compile(
                    ".*\\.table\\.([^.]+)\\.(snapshotRecords|changes|changesPerSecond|captureLagMs)$");
    private static final Pattern DEAD_LETTERS = Pattern.compile(".*\\.deadLetters$");
    private static final long FETCH_SETTLE_MS = 500;
    private static final Pattern BINLOG_POSITION = Pattern.compile(".*\\.binlogPosition$");

    /** Every job of the cluster, running ones first, newest first. */
    static List<JobStatus> readAll(FlinkRestClient rest) throws Exception {
        JsonNode overview = rest.get("/jobs/overview").path("jobs");
        for (JsonNode job : overview) {
            if (job.path("state").asText().equals("RUNNING")) {
                // Flink's REST API answers metrics from its store and only then fetches newer ones
                // (at most every metrics.fetcher.update-interval): ask once, give the fetch a
                // moment, then read, so the figures are not one call old
                rest.get("/jobs/" + job.path("jid").asText() + "/metrics");
                Thread.sleep(FETCH_SETTLE_MS);
                break;
            }
        }
        List<JobStatus> jobs = new ArrayList<>();
        for (JsonNode job : overview) {
            jobs.add(read(rest, job));
        }
        jobs.sort(
                Comparator.comparing((JobStatus j) -> !j.state().equals("RUNNING"))
                        .thenComparing(JobStatus::startTime, Comparator.reverseOrder()));
        return jobs;
    }

    private static JobStatus read(FlinkRestClient rest, JsonNode overview) throws Exception {
        String id = overview.path("jid").asText();
        boolean running = overview.path("state").asText().equals("RUNNING");
        JsonNode checkpoints = rest.get("/jobs/" + id + "/checkpoints");
        JsonNode last = checkpoints.path("latest").path("completed");
        Checkpoints summary =
                new Checkpoints(
                        checkpoints.path("counts").path("completed").asLong(),
                        checkpoints.path("counts").path("failed").asLong(),
                        last.isObject() ? last.path("id").asLong() : -1,
                        last.isObject() ? last.path("latest_ack_timestamp").asLong() : -1,
                        last.isObject() ? last.path("checkpointed_size").asLong() : 0,
                        last.isObject() ? last.path("end_to_end_duration").asLong() : 0,
                        checkpoints
                                .path("latest")
                                .path("failed")
                                .path("failure_timestamp")
                                .asLong(-1));
        long restarts = 0;
        long deadLetters = 0;
        long binlogPosition = -1;
        Map<String, long[]> counts = new LinkedHashMap<>();
        Map<String, double[]> rates = new LinkedHashMap<>();
        if (running) {
            for (JsonNode metric : rest.get("/jobs/" + id + "/metrics?get=numRestarts")) {
                restarts = metric.path("value").asLong();
            }
            for (JsonNode vertex : rest.get("/jobs/" + id).path("vertices")) {
                String base = "/jobs/" + id + "/vertices/" + vertex.path("id").asText();
                List<String> wanted = new ArrayList<>();
                for (JsonNode metric : rest.get(base + "/subtasks/metrics")) {
                    String name = metric.path("id").asText();
                    if (TABLE_METRIC.matcher(name).matches()
                            || DEAD_LETTERS.matcher(name).matches()
                            || BINLOG_POSITION.matcher(name).matches()) {
                        wanted.add(name);
                    }
                }
                if (wanted.isEmpty()) {
                    continue;
                }
                String get = URLEncoder.encode(String.join(",", wanted), StandardCharsets.UTF_8);
                for (JsonNode value : rest.get(base + "/subtasks/metrics?agg=sum,max&get=" + get)) {
                    String name = value.path("id").asText();
                    Matcher table = TABLE_METRIC.matcher(name);
                    if (DEAD_LETTERS.matcher(name).matches()) {
                        deadLetters += value.path("sum").asLong();
                    } else if (BINLOG_POSITION.matcher(name).matches()) {
                        binlogPosition = Math.max(binlogPosition, value.path("max").asLong(-1));
                    } else if (table.matches()) {
                        long[] c =
                                counts.computeIfAbsent(table.group(1), t -> new long[] {0, 0, -1});
                        double[] r = rates.computeIfAbsent(table.group(1), t -> new double[1]);
                        switch (table.group(2)) {
                            case "snapshotRecords":
                                c[0] += value.path("sum").asLong();
                                break;
                            case "changes":
                                c[1] += value.path("sum").asLong();
                                break;
                            case "changesPerSecond":
                                r[0] += value.path("sum").asDouble();
                                break;
                            default:
                                c[2] = Math.max(c[2], value.path("max").asLong());
                        }
                    }
                }
            }
        }
        List<TableStatus> tables = new ArrayList<>();
        counts.forEach(
                (table, c) ->
                        tables.add(
                                new TableStatus(
                                        table,
                                        c[0],
                                        c[1],
                                        rates.get(table)[0],
                                        c[1] > c[0] ? c[2] : -1,
                                        -1)));
        return new JobStatus(
                id,
                overview.path("name").asText(),
                overview.path("state").asText(),
                overview.path("start-time").asLong(),
                overview.path("duration").asLong(),
                restarts,
                summary,
                deadLetters,
                tables,
                binlogPosition,
                -1);
    }
}
