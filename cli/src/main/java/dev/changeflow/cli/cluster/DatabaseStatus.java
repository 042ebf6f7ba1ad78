package dev.changeflow.cli.cluster;

import dev.changeflow.cdc.query.config.QueryDialect;
import dev.changeflow.cli.DatabaseOptions;
import dev.changeflow.cli.verify.Database;

import com.fasterxml.jackson.annotation.JsonIgnore;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the database side of capture looks like for {@code changeflow status}: PostgreSQL's logical
 * replication slots with the WAL each retains, or MariaDB/MySQL's binlog position and the binlogs
 * the server keeps.
 *
 * @param slots PostgreSQL: the logical slots; empty on MariaDB/MySQL
 * @param binlog MariaDB/MySQL: the current binlog; null on PostgreSQL
 * @param tableRows every user table's estimated rows ({@link TableEstimates}), for the jobs'
 *     snapshot progress; not printed itself
 */
record DatabaseStatus(
        String server, List<Slot> slots, Binlog binlog, @JsonIgnore Map<String, Long> tableRows) {

    /**
     * @param retainedBytes WAL the server keeps for the slot (current LSN minus restart LSN)
     * @param unconfirmedBytes WAL written since the consumer last confirmed (current LSN minus
     *     confirmed flush LSN): what a restart would read again
     */
    record Slot(
            String name,
            String plugin,
            boolean active,
            long retainedBytes,
            long unconfirmedBytes) {}

    /**
     * The file and position the server writes now, and how many binlogs it keeps, how large.
     *
     * @param sizes each kept binlog's size by its file sequence ({@code mysql-bin.000003}: 3)
     */
    record Binlog(
            String file,
            long position,
            int files,
            long bytes,
            @JsonIgnore java.util.SortedMap<Long, Long> sizes) {

        /**
         * The bytes of binlog the server wrote after {@code offset} in file {@code sequence}: the
         * rest of that file, the files after it and the current one up to its position.
         */
        long bytesAfter(long sequence, long offset) {
            long current = sequence(file);
            if (sequence >= current) {
                return sequence == current ? Math.max(0, position - offset) : 0;
            }
            long behind = Math.max(0, sizes.getOrDefault(sequence, offset) - offset);
            for (long size : sizes.subMap(sequence + 1, current).values()) {
                behind += size;
            }
            return behind + position;
        }

        static long sequence(String file) {
            return Long.parseLong(file.substring(file.lastIndexOf('.') + 1));
        }
    }

    static DatabaseStatus read(DatabaseOptions db) throws SQLException {
        QueryDialect kind = db.postgres() ? QueryDialect.POSTGRES : QueryDialect.MARIADB;
        String database = db.postgres() ? db.database() : db.givenDatabase();
        String server = db.hostname + ":" + db.port() + (database == null ? "" : "/" + database);
        try (Connection c =
                        Database.open(
                                kind,
                                db.hostname,
                                db.port(),
                                database == null ? "" : database,
                                db.username(),
                                db.password());
                Statement s = c.createStatement()) {
            Map<String, Long> tableRows = TableEstimates.read(c, db.postgres());
            if (db.postgres()) {
                List<Slot> slots = new ArrayList<>();
                try (ResultSet rs =
                        s.executeQuery(
                                "SELECT slot_name, plugin, active,"
                                        + " pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::bigint,"
                                        + " pg_wal_lsn_diff(pg_current_wal_lsn(),"
                                        + " confirmed_flush_lsn)::bigint FROM pg_replication_slots"
                                        + " WHERE slot_type = 'logical' ORDER BY slot_name")) {
                    while (rs.next()) {
                        slots.add(
                                new Slot(
                                        rs.getString(1),
                                        rs.getString(2),
                                        rs.getBoolean(3),
                                        rs.getLong(4),
                                        rs.getLong(5)));
                    }
                }
                return new DatabaseStatus(server, slots, null, tableRows);
            }
            String file = null;
            long position = 0;
            try (ResultSet rs = s.executeQuery("SHOW MASTER STATUS")) {
                if (rs.next()) {
                    file = rs.getString(1);
                    position = rs.getLong(2);
                }
            }
            int files = 0;
            long bytes = 0;
            java.util.SortedMap<Long, Long> sizes = new java.util.TreeMap<>();
            try (ResultSet rs = s.executeQuery("SHOW BINARY LOGS")) {
                while (rs.next()) {
                    files++;
                    bytes += rs.getLong(2);
                    sizes.put(Binlog.sequence(rs.getString(1)), rs.getLong(2));
                }
            }
            return new DatabaseStatus(
                    server,
                    List.of(),
                    file == null ? null : new Binlog(file, position, files, bytes, sizes),
                    tableRows);
        }
    }
}
