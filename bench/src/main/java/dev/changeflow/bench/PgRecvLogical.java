package dev.changeflow.bench;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * PostgreSQL's own logical replication client, {@code pg_recvlogical}, reading a slot through
 * {@code pgoutput} (binary protocol version 1) up to a given LSN into a file: the ceiling for any
 * logical decoding consumer of the same WAL. The output is then parsed (not timed) to count the
 * changes it carried.
 */
final class PgRecvLogical {

    private final Path binary;

    private PgRecvLogical(Path binary) {
        this.binary = binary;
    }

    /**
     * Finds {@code pg_recvlogical}: {@code explicit} if given, else Debian's PostgreSQL 15 client,
     * else the {@code PATH}. zonky's embedded binaries have only initdb, pg_ctl and postgres.
     */
    static PgRecvLogical locate(String explicit) {
        List<Path> candidates = new ArrayList<>();
        if (explicit != null && !explicit.isBlank()) {
            candidates.add(Path.of(explicit));
        }
        candidates.add(Path.of("/usr/lib/postgresql/15/bin/pg_recvlogical"));
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(":")) {
                candidates.add(Path.of(dir, "pg_recvlogical"));
            }
        }
        for (Path candidate : candidates) {
            if (Files.isExecutable(candidate)) {
                return new PgRecvLogical(candidate);
            }
        }
        throw new IllegalStateException(
                "no pg_recvlogical found (tried "
                        + candidates.subList(0, Math.min(3, candidates.size()))
                        + ", PATH): apt-get install postgresql-client-15, or pass"
                        + " --pg-recvlogical PATH");
    }

    Path binary() {
        return binary;
    }

    /** The client's version line. */
    String version() throws IOException, InterruptedException {
        Process p =
                new ProcessBuilder(binary.toString(), "--version")
                        .redirectErrorStream(true)
                        .start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        p.waitFor(10, TimeUnit.SECONDS);
        return out;
    }

    /** What one run read. */
    record Result(long elapsedNanos, long bytes, PgOutputCounts counts) {
        double changesPerSecond() {
            return counts.changes() * 1e9 / elapsedNanos;
        }
    }

    /**
     * Streams {@code slot} from its confirmed position up to {@code endLsn} into {@code out} and
     * times it, from starting the process to its exit.
     */
    Result readUpTo(
            String host,
            int port,
            String user,
            String password,
            String database,
            String slot,
            String publication,
            String endLsn,
            Path out,
            Duration timeout)
            throws IOException, InterruptedException {
        Files.deleteIfExists(out);
        Path log = out.resolveSibling(out.getFileName() + ".log");
        ProcessBuilder builder =
                new ProcessBuilder(
                                binary.toString(),
                                "--host=" + host,
                                "--port=" + port,
                                "--username=" + user,
                                "--dbname=" + database,
                                "--slot=" + slot,
                                "--start",
                                "--endpos=" + endLsn,
                                "--no-loop",
                                "--status-interval=1",
                                "--fsync-interval=0",
                                "--option=proto_version=1",
                                "--option=publication_names=" + publication,
                                "--file=" + out)
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile());
        builder.environment().put("PGPASSWORD", password == null ? "" : password);
        long t0 = System.nanoTime();
        Process process = builder.start();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException(
                    "pg_recvlogical did not reach "
                            + endLsn
                            + " in "
                            + timeout
                            + ": "
                            + Files.readString(log));
        }
        long elapsed = System.nanoTime() - t0;
        if (process.exitValue() != 0) {
            throw new IllegalStateException(
                    "pg_recvlogical exited " + process.exitValue() + ": " + Files.readString(log));
        }
        PgOutputCounts counts;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(out), 1 << 16)) {
            counts = PgOutputCounts.parse(in);
        }
        return new Result(elapsed, Files.size(out), counts);
    }

    /**
     * Counts of the messages in {@code pg_recvlogical}'s pgoutput file, where every message is
     * followed by a newline.
     */
    record PgOutputCounts(
            long begins, long commits, long inserts, long updates, long deletes, long relations) {

        long changes() {
            return inserts + updates + deletes;
        }

        static PgOutputCounts parse(InputStream raw) throws IOException {
            DataInputStream in = new DataInputStream(raw);
            long begins = 0, commits = 0, inserts = 0, updates = 0, deletes = 0, relations = 0;
            while (true) {
                int type = in.read();
                if (type < 0) {
                    break;
                }
                switch (type) {
                    case 'B' -> {
                        in.skipNBytes(8 + 8 + 4);
                        begins++;
                    }
                    case 'C' -> {
                        in.skipNBytes(1 + 8 + 8 + 8);
                        commits++;
                    }
                    case 'O' -> {
                        in.skipNBytes(8);
                        skipString(in);
                    }
                    case 'R' -> {
                        in.skipNBytes(4);
                        skipString(in);
                        skipString(in);
                        in.skipNBytes(1);
                        int columns = in.readUnsignedShort();
                        for (int i = 0; i < columns; i++) {
                            in.skipNBytes(1);
                            skipString(in);
                            in.skipNBytes(8);
                        }
                        relations++;
                    }
                    case 'Y' -> {
                        in.skipNBytes(4);
                        skipString(in);
                        skipString(in);
                    }
                    case 'I' -> {
                        in.skipNBytes(4);
                        expect(in, 'N');
                        skipTuple(in);
                        inserts++;
                    }
                    case 'U' -> {
                        in.skipNBytes(4);
                        int kind = in.readUnsignedByte();
                        if (kind == 'K' || kind == 'O') {
                            skipTuple(in);
                            kind = in.readUnsignedByte();
                        }
                        if (kind != 'N') {
                            throw new IOException("bad pgoutput update: " + (char) kind);
                        }
                        skipTuple(in);
                        updates++;
                    }
                    case 'D' -> {
                        in.skipNBytes(4);
                        int kind = in.readUnsignedByte();
                        if (kind != 'K' && kind != 'O') {
                            throw new IOException("bad pgoutput delete: " + (char) kind);
                        }
                        skipTuple(in);
                        deletes++;
                    }
                    case 'T' -> {
                        int n = in.readInt();
                        in.skipNBytes(1 + 4L * n);
                    }
                    default -> throw new IOException("unknown pgoutput message " + (char) type);
                }
                expect(in, '\n');
            }
            return new PgOutputCounts(begins, commits, inserts, updates, deletes, relations);
        }

        private static void skipTuple(DataInputStream in) throws IOException {
            int columns = in.readUnsignedShort();
            for (int i = 0; i < columns; i++) {
                int kind = in.readUnsignedByte();
                if (kind == 't' || kind == 'b') {
                    in.skipNBytes(in.readInt());
                } else if (kind != 'n' && kind != 'u') {
                    throw new IOException("bad pgoutput column kind " + (char) kind);
                }
            }
        }

        private static void skipString(DataInputStream in) throws IOException {
            int b;
            while ((b = in.read()) != 0) {
                if (b < 0) {
                    throw new EOFException();
                }
            }
        }

        private static void expect(DataInputStream in, char c) throws IOException {
            int b = in.read();
            if (b != c) {
                throw new IOException("pgoutput: expected '" + c + "', got " + b);
            }
        }
    }
}
