package dev.changeflow.cli;

import dev.changeflow.localstack.Service;
import dev.changeflow.localstack.junit.LocalStackTest;
import dev.changeflow.localstack.server.MariaDbServer;
import dev.changeflow.localstack.server.PostgresServer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code changeflow triggers install|status|uninstall} against the local stack's PostgreSQL and
 * MariaDB, with the connection options every command takes.
 */
@LocalStackTest(services = {Service.POSTGRES, Service.MARIADB})
class TriggersCommandIT {

    @Test
    void installStatusUninstall(PostgresServer pg) throws Exception {
        try (Connection c = pg.connect();
                Statement st = c.createStatement()) {
            st.execute("DROP TABLE IF EXISTS public.cli_trg");
            st.execute("CREATE TABLE public.cli_trg (id int PRIMARY KEY)");
        }
        String[] target = {
            "--source", "postgres",
            "--tables", "public.cli_trg",
            "--hostname", pg.host(),
            "--port", String.valueOf(pg.port()),
            "--database-name", pg.database(),
            "--username", pg.user(),
            "--password", pg.password(),
            "--audit-table", "cli_cf.audit"
        };
        assertThat(run("install", target).exitCode).isZero();
        try (Connection c = pg.connect();
                Statement st = c.createStatement()) {
            st.execute("INSERT INTO public.cli_trg VALUES (1), (2)");
        }
        Result status = run("status", target);
        assertThat(status.exitCode).isZero();
        assertThat(status.out).containsPattern("public\\.cli_trg\\s+installed\\s+2");
        assertThat(run("uninstall", target).exitCode).isZero();
        Result after = run("status", target);
        assertThat(after.exitCode).isEqualTo(1);
        assertThat(after.out).containsPattern("public\\.cli_trg\\s+missing\\s+0");
    }

    @Test
    void onMariaDbTheDatabaseComesFromTheTableNamesAndThePasswordFromAFile(
            MariaDbServer mariadb, @TempDir Path dir) throws Exception {
        String table = MariaDbServer.DATABASE + ".cli_trg_my";
        try (Connection c = mariadb.connect();
                Statement st = c.createStatement()) {
            st.execute("DROP TABLE IF EXISTS " + table);
            st.execute("CREATE TABLE " + table + " (id int PRIMARY KEY)");
        }
        Path password = Files.writeString(dir.resolve("pw"), MariaDbServer.ADMIN_PASSWORD + "\n");
        String[] target = {
            "--source",
            "mysql",
            "--table-list",
            table,
            "--hostname",
            mariadb.host(),
            "--port",
            String.valueOf(mariadb.port()),
            "--username",
            MariaDbServer.ADMIN_USER,
            "--password-file",
            password.toString()
        };
        assertThat(run("install", target).exitCode).isZero();
        try (Connection c = mariadb.connect();
                Statement st = c.createStatement()) {
            st.execute("INSERT INTO " + table + " VALUES (1), (2), (3)");
        }
        Result status = run("status", target);
        assertThat(status.exitCode).as(status.out).isZero();
        assertThat(status.out).containsPattern("cli_trg_my\\s+installed\\s+3");
        assertThat(run("uninstall", target).exitCode).isZero();
    }

    private record Result(int exitCode, String out) {}

    private static Result run(String command, String... target) {
        String[] args = new String[target.length + 2];
        args[0] = "triggers";
        args[1] = command;
        System.arraycopy(target, 0, args, 2, target.length);
        PrintStream original = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            int code = Changeflow.run(args);
            return new Result(code, out.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(original);
        }
    }
}
