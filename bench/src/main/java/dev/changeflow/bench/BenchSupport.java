package dev.changeflow.bench;

import dev.changeflow.localstack.process.Processes;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** What the benchmarks' main classes share: progress lines, the work dir, PostgreSQL chores. */
final class BenchSupport {

    private BenchSupport() {}

    /** A progress line on stdout, with the time of day (UTC). */
    static void say(String format, Object... args) {
        System.out.println(
                DateTimeFormatter.ofPattern("HH:mm:ss").format(Instant.now().atZone(ZoneOffset.UTC))
                        + " "
                        + String.format(Locale.ROOT, format, args));
        System.out.flush();
    }

    /** The machine's 1-minute load average, for the report. */
    static String loadAverage() {
        double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        return String.format(Locale.ROOT, "%.2f", load);
    }

    /**
     * Removes what an earlier run left in the work dir (logs, savepoints, recordings); keeps the
     * stack's directory, where the PostgreSQL binaries stay unpacked, and {@code tmp}, the JVM's
     * temporary directory (the bench scripts point {@code java.io.tmpdir} there).
     */
    static void cleanWorkDir(Path work) throws IOException {
        Files.createDirectories(work);
        try (var entries = Files.list(work)) {
            for (Path entry : (Iterable<Path>) entries::iterator) {
                String name = entry.getFileName().toString();
                if (!name.equals("stack") && !name.equals("tmp")) {
                    Processes.deleteRecursively(entry);
                }
            }
        }
    }

    /** The first column of the first row of a query, on a connection of its own. */
    static String scalar(Workload.Connector db, String sql) throws SQLException {
        try (Connection c = db.connect();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** Drops a slot once its consumer let go of it (within 30 s), so that it keeps no WAL. */
    static void dropSlot(Workload.Connector db, String slot) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            try (Connection c = db.connect();
                    PreparedStatement s =
                            c.prepareStatement(
                                    "SELECT pg_drop_replication_slot(slot_name) FROM"
                                            + " pg_replication_slots WHERE slot_name = ?")) {
                s.setString(1, slot);
                s.execute();
                return;
            } catch (SQLException e) {
                if (System.nanoTime() > deadline) {
                    say("could not drop slot %s: %s", slot, e.getMessage());
                    return;
                }
                Thread.sleep(200);
            }
        }
    }
}
