package dev.changeflow.jobs.conformance;

import dev.changeflow.jobs.ingest.IngestOptions.CaptureMethod;
import dev.changeflow.jobs.sinks.ChangeTopics;
import dev.changeflow.localstack.server.JdbcServer;
import dev.changeflow.localstack.server.MariaDbServer;
import dev.changeflow.localstack.server.PostgresServer;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/** What differs between PostgreSQL and MariaDB in the conformance workload. */
interface Dialect {

    String TABLE = "conf_items";

    /** The ingest job's {@code --source}. */
    String source();

    JdbcServer server();

    /** A connection with the rights to create tables and install triggers. */
    default Connection connect() throws SQLException {
        return server().connect();
    }

    /** Drops what an earlier run left and creates the table. */
    void create(Statement s) throws SQLException;

    /** {@code INSERT} of every column but the id, which the database assigns. */
    String insert();

    /** {@code UPDATE} of name, qty and the last-modified column, by id. */
    String update();

    /** The SQL literal of 2001-01-01 00:00 UTC for the {@code updated_at} column. */
    String year2001();

    /** SQL text of {@code updated_at} in UTC as {@code yyyy-MM-dd HH:mm:ss.ffffff}. */
    String updatedAtUtc();

    /** The table as the sources' {@code table-list} names it. */
    String qualifiedTable();

    /** The change topic of the table for a topic prefix. */
    String topic(String prefix);

    /** The capture-specific arguments of the ingest job for one method. */
    List<String> sourceArguments(CaptureMethod method, String prefix);

    static Dialect postgres(PostgresServer pg) {
        return new Dialect() {
            @Override
            public String source() {
                return "postgres";
            }

            @Override
            public JdbcServer server() {
                return pg;
            }

            @Override
            public void create(Statement s) throws SQLException {
                for (CaptureMethod method : CaptureMethod.values()) {
                    s.execute(
                            "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots"
                                    + " WHERE slot_name = '"
                                    + slot(method)
                                    + "'");
                }
                s.execute("DROP TABLE IF EXISTS " + TABLE);
                s.execute(
                        "CREATE TABLE "
                                + TABLE
                                + " (id bigserial PRIMARY KEY, name varchar(64) NOT NULL,"
                                + " qty integer, small smallint, price numeric(12, 2),"
                                + " ratio double precision, active boolean, born date,"
                                + " seen_local timestamp(6), seen_at timestamptz(6), data bytea,"
                                + " ref uuid, doc jsonb,"
                                + " updated_at timestamptz(6) NOT NULL DEFAULT now())");
                s.execute("ALTER TABLE " + TABLE + " REPLICA IDENTITY FULL");
                s.execute("CREATE INDEX ON " + TABLE + " (updated_at, id)");
            }

            @Override
            public String insert() {
                return "INSERT INTO "
                        + TABLE
                        + " (name, qty, small, price, ratio, active, born, seen_local, seen_at,"
                        + " data, ref, doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::uuid,"
                        + " ?::jsonb)";
            }

            @Override
            public String update() {
                return "UPDATE "
                        + TABLE
                        + " SET name = ?, qty = ?, updated_at = now() WHERE id = ?";
            }

            @Override
            public String year2001() {
                return "TIMESTAMPTZ '2001-01-01 00:00:00+00'";
            }

            @Override
            public String updatedAtUtc() {
                return "to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')";
            }

            @Override
            public String qualifiedTable() {
                return "public." + TABLE;
            }

            @Override
            public String topic(String prefix) {
                return ChangeTopics.topic(prefix, pg.database(), "public", TABLE);
            }

            @Override
            public List<String> sourceArguments(CaptureMethod method, String prefix) {
                List<String> common =
                        List.of(
                                "--source", "postgres",
                                "--method", method.name().toLowerCase(),
                                "--hostname", pg.host(),
                                "--port", Integer.toString(pg.port()),
                                "--database-name", pg.database(),
                                "--username", pg.user(),
                                "--password", pg.password(),
                                "--table-list", "public." + TABLE);
                return Methods.arguments(
                        method, common, List.of("--slot.name", slot(method)), "public." + TABLE);
            }

            private String slot(CaptureMethod method) {
                return "conf_" + method.name().toLowerCase();
            }
        };
    }

    static Dialect mariaDb(MariaDbServer mariadb) {
        return new Dialect() {
            @Override
            public String source() {
                return "mysql";
            }

            @Override
            public JdbcServer server() {
                return mariadb;
            }

            @Override
            public void create(Statement s) throws SQLException {
                s.execute("DROP TABLE IF EXISTS " + TABLE);
                s.execute(
                        "CREATE TABLE "
                                + TABLE
                                + " (id bigint AUTO_INCREMENT PRIMARY KEY,"
                                + " name varchar(64) NOT NULL, qty int, small smallint,"
                                + " price decimal(12, 2), ratio double, active boolean, born date,"
                                + " seen_local datetime(6), seen_at timestamp(6) NULL,"
                                + " data varbinary(16), ref char(36), doc longtext,"
                                + " updated_at timestamp(6) NOT NULL DEFAULT current_timestamp(6)"
                                + " ON UPDATE current_timestamp(6), INDEX (updated_at, id))");
            }

            @Override
            public String insert() {
                return "INSERT INTO "
                        + TABLE
                        + " (name, qty, small, price, ratio, active, born, seen_local, seen_at,"
                        + " data, ref, doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
            }

            @Override
            public String update() {
                return "UPDATE " + TABLE + " SET name = ?, qty = ? WHERE id = ?";
            }

            @Override
            public String year2001() {
                // the connection's session time zone is UTC (see MariaDbServer)
                return "TIMESTAMP '2001-01-01 00:00:00'";
            }

            @Override
            public String updatedAtUtc() {
                return "DATE_FORMAT(CONVERT_TZ(updated_at, @@session.time_zone, '+00:00'),"
                        + " '%Y-%m-%d %H:%i:%s.%f')";
            }

            @Override
            public String qualifiedTable() {
                return mariadb.database() + "." + TABLE;
            }

            @Override
            public String topic(String prefix) {
                return ChangeTopics.topic(prefix, mariadb.database(), null, TABLE);
            }

            @Override
            public List<String> sourceArguments(CaptureMethod method, String prefix) {
                String table = mariadb.database() + "." + TABLE;
                List<String> common =
                        List.of(
                                "--source",
                                "mysql",
                                "--method",
                                method.name().toLowerCase(),
                                "--hostname",
                                mariadb.host(),
                                "--port",
                                Integer.toString(mariadb.port()),
                                "--username",
                                MariaDbServer.CDC_USER,
                                "--password",
                                MariaDbServer.CDC_PASSWORD,
                                "--table-list",
                                table);
                return Methods.arguments(method, common, List.of("--server-id", "5701"), table);
            }
        };
    }
}
