package dev.changeflow.cli.cluster;

import dev.changeflow.cli.DatabaseOptions;
import dev.changeflow.localstack.server.FlinkRestClient;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code changeflow status}: every job of a Flink cluster (or of a local {@code ingest} started
 * with {@code -D rest.port=...}): state, restarts, the last checkpoint and its age, dead letters,
 * and per captured table the snapshot rows, changes, changes/s and capture lag.
 */
@Command(
        name = "status",
        mixinStandardHelpOptions = true,
        description = {
            "Shows every job of a Flink cluster: state, restarts, last checkpoint and its age,"
                    + " dead letters, and per captured table snapshot rows, changes, changes/s"
                    + " and capture lag (the ingest job's metrics).",
            "A local 'changeflow ingest -D rest.port=8081' answers too. With the database's"
                    + " options (--username, ...): PostgreSQL's replication slots and the WAL each"
                    + " retains, or the binlog MariaDB/MySQL keeps."
        })
public final class StatusCommand implements Callable<Integer> {

    private static final ObjectMapper JSON =
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Spec CommandSpec spec;

    @Mixin RestOption restOption;

    @Option(names = "--json", description = "Print the status as JSON.")
    boolean json;

    /** With --username: the replication slots' retained WAL, or the binlog the server keeps. */
    @Mixin DatabaseOptions db;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        String url = null;
        try {
            url = ClusterSupport.restUrl(restOption.url);
            List<JobStatus> jobs = JobStatus.readAll(new FlinkRestClient(url));
            DatabaseStatus database = db.given() ? DatabaseStatus.read(db) : null;
            if (database != null) {
                jobs =
                        jobs.stream()
                                .map(job -> job.named(database.tableRows()))
                                .map(job -> job.behind(database.binlog()))
                                .toList();
            }
            if (json) {
                Map<String, Object> status = new java.util.LinkedHashMap<>();
                status.put("rest", url);
                status.put("jobs", jobs);
                if (database != null) {
                    status.put("database", database);
                }
                out.println(JSON.writeValueAsString(status));
            } else {
                print(url, jobs, out, System.currentTimeMillis());
                if (database != null) {
                    print(database, out);
                }
            }
            out.flush();
            return 0;
        } catch (Exception e) {
            spec.commandLine()
                    .getErr()
                    .println("changeflow status: " + ClusterSupport.describe(url, e));
            return 1;
        }
    }

    static void print(String url, List<JobStatus> jobs, PrintWriter out, long now) {
        if (jobs.isEmpty()) {
            out.println("No jobs on " + url + ".");
            return;
        }
        for (JobStatus job : jobs) {
            out.printf("%s  (%s)%n", job.name(), job.id());
            out.printf(
                    "  %s for %s, restarts %d, dead letters %d%n",
                    job.state(), duration(job.durationMs()), job.restarts(), job.deadLetters());
            JobStatus.Checkpoints c = job.checkpoints();
            if (c.lastId() < 0) {
                out.printf("  no checkpoint completed yet (failed: %d)%n", c.failed());
            } else {
                out.printf(
                        "  last checkpoint #%d, %s ago, %s, took %d ms (completed %d, failed %d)%n",
                        c.lastId(),
                        duration(now - c.lastAckTime()),
                        bytes(c.lastSize()),
                        c.lastDurationMs(),
                        c.completed(),
                        c.failed());
            }
            if (job.binlogBytesBehind() >= 0) {
                out.printf(
                        "  binlog: at file %d offset %d, %s behind the server%n",
                        job.binlogPosition() >>> 32,
                        job.binlogPosition() & 0xFFFFFFFFL,
                        bytes(job.binlogBytesBehind()));
            }
            if (!job.tables().isEmpty()) {
                out.printf(
                        "  %-36s %21s %10s %10s %12s%n",
                        "table", "snapshot rows / est.", "changes", "changes/s", "capture lag");
                for (JobStatus.TableStatus t : job.tables()) {
                    out.printf(
                            "  %-36s %21s %10d %10.1f %12s%n",
                            t.table(),
                            t.estimatedRows() < 0
                                    ? Long.toString(t.snapshotRows())
                                    : t.snapshotRows() + " / ~" + t.estimatedRows(),
                            t.changes(),
                            t.changesPerSecond(),
                            t.lagMs() < 0 ? "-" : t.lagMs() + " ms");
                }
            }
            out.println();
        }
    }

    static void print(DatabaseStatus database, PrintWriter out) {
        if (database.binlog() != null) {
            DatabaseStatus.Binlog b = database.binlog();
            out.printf(
                    "Binlog of %s: writing %s at %d; %d binlog file(s) kept, %s%n",
                    database.server(), b.file(), b.position(), b.files(), bytes(b.bytes()));
            return;
        }
        if (database.slots().isEmpty()) {
            out.printf("No logical replication slot on %s.%n", database.server());
            return;
        }
        out.printf("Replication slots of %s:%n", database.server());
        out.printf(
                "  %-36s %-8s %-6s %14s %14s%n",
                "slot", "plugin", "active", "retained WAL", "unconfirmed");
        for (DatabaseStatus.Slot slot : database.slots()) {
            out.printf(
                    "  %-36s %-8s %-6s %14s %14s%n",
                    slot.name(),
                    slot.plugin(),
                    slot.active() ? "yes" : "no",
                    bytes(slot.retainedBytes()),
                    bytes(slot.unconfirmedBytes()));
        }
    }

    static String duration(long ms) {
        long s = Math.max(0, ms) / 1000;
        if (s < 60) {
            return s + " s";
        }
        if (s < 3600) {
            return s / 60 + " min " + s % 60 + " s";
        }
        return s / 3600 + " h " + s % 3600 / 60 + " min";
    }

    static String bytes(long size) {
        if (size < 1024) {
            return size + " B";
        }
        if (size < 1024 * 1024) {
            return String.format("%.1f KB", size / 1024.0);
        }
        return String.format("%.1f MB", size / (1024.0 * 1024));
    }
}
