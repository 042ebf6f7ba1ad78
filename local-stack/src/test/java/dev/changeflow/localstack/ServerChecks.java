package dev.changeflow.localstack;

import dev.changeflow.localstack.server.MariaDbServer;
import dev.changeflow.localstack.server.PostgresServer;
import dev.changeflow.localstack.server.RedisServer;

import io.lettuce.core.RedisClient;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What proves a server is real and configured for CDC, shared by the tests of servers started by
 * the stack and of servers that already run on the machine.
 */
final class ServerChecks {

    private ServerChecks() {}

    /** A {@code pgoutput} slot on a publication of one table returns an insert into it. */
    static void pgoutputSlotReadsAChange(PostgresServer postgres) throws Exception {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String table = "it_pg_items_" + suffix;
        String slot = "it_pg_slot_" + suffix;
        String publication = "it_pg_pub_" + suffix;
        try (Connection c = postgres.connect();
                Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SHOW wal_level")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("logical");
            }
            s.execute("CREATE TABLE " + table + " (id int PRIMARY KEY, name text)");
            s.execute("CREATE PUBLICATION " + publication + " FOR TABLE " + table);
            s.execute("SELECT pg_create_logical_replication_slot('" + slot + "', 'pgoutput')");
            try {
                s.execute("INSERT INTO " + table + " VALUES (1, 'first')");
                List<byte[]> messages = new ArrayList<>();
                try (ResultSet rs =
                        s.executeQuery(
                                "SELECT data FROM pg_logical_slot_get_binary_changes('"
                                        + slot
                                        + "', NULL, NULL, 'proto_version', '1',"
                                        + " 'publication_names', '"
                                        + publication
                                        + "')")) {
                    while (rs.next()) {
                        messages.add(rs.getBytes(1));
                    }
                }
                // pgoutput: B(egin), R(elation), I(nsert), C(ommit)
                assertThat(messages)
                        .extracting(m -> (char) m[0])
                        .containsExactly('B', 'R', 'I', 'C');
                assertThat(new String(messages.get(2), StandardCharsets.UTF_8)).contains("first");
            } finally {
                s.execute("SELECT pg_drop_replication_slot('" + slot + "')");
                s.execute("DROP PUBLICATION " + publication);
                s.execute("DROP TABLE " + table);
            }
        }
    }

    /** The binlog is ROW with full images, and the CDC user reads row events of an insert. */
    static void binlogIsRowAndReadable(MariaDbServer mariadb, String cdcUser, String cdcPassword)
            throws Exception {
        String table = "it_maria_items_" + UUID.randomUUID().toString().substring(0, 8);
        try (Connection admin = mariadb.connect();
                Statement s = admin.createStatement()) {
            assertThat(variable(s, "log_bin")).isEqualTo("ON");
            assertThat(variable(s, "binlog_format")).isEqualTo("ROW");
            assertThat(variable(s, "binlog_row_image")).isEqualTo("FULL");
            s.execute("CREATE TABLE " + table + " (id INT PRIMARY KEY, name VARCHAR(20))");
            s.execute("INSERT INTO " + table + " VALUES (1, 'first')");
        }
        try (Connection cdc = DriverManager.getConnection(mariadb.jdbcUrl(), cdcUser, cdcPassword);
                Statement s = cdc.createStatement()) {
            String file;
            try (ResultSet rs = s.executeQuery("SHOW MASTER STATUS")) {
                assertThat(rs.next()).as("SHOW MASTER STATUS as " + cdcUser).isTrue();
                file = rs.getString("File");
            }
            List<String> events = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("SHOW BINLOG EVENTS IN '" + file + "'")) {
                while (rs.next()) {
                    events.add(rs.getString("Event_type") + " " + rs.getString("Info"));
                }
            }
            assertThat(events).anyMatch(e -> e.startsWith("Table_map") && e.contains(table));
            assertThat(events).anyMatch(e -> e.startsWith("Write_rows"));
        } finally {
            try (Connection admin = mariadb.connect();
                    Statement s = admin.createStatement()) {
                s.execute("DROP TABLE " + table);
            }
        }
    }

    static void redisSetAndGet(RedisServer redis) {
        RedisClient client = RedisClient.create(redis.uri());
        try (var connection = client.connect()) {
            var commands = connection.sync();
            String key = "it:redis:" + UUID.randomUUID();
            commands.set(key, "value-1");
            assertThat(commands.get(key)).isEqualTo("value-1");
            commands.del(key);
        } finally {
            client.shutdown();
        }
    }

    private static String variable(Statement s, String name) throws Exception {
        try (ResultSet rs = s.executeQuery("SHOW GLOBAL VARIABLES LIKE '" + name + "'")) {
            assertThat(rs.next()).as(name).isTrue();
            return rs.getString(2);
        }
    }
}
