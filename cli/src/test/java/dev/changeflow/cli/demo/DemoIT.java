package dev.changeflow.cli.demo;

import dev.changeflow.cli.Changeflow;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code changeflow demo}, short: every sink's content matches the database and the command exits
 * 0. (It starts its own servers, as on a user's machine.)
 */
class DemoIT {

    @Test
    void theDemoChecksOut(@TempDir Path dir) {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        int code;
        try (PrintStream tee = new PrintStream(new TeeStream(original, captured), true)) {
            System.setOut(tee);
            code =
                    Changeflow.run(
                            "demo",
                            "--duration=12",
                            "--rate=10",
                            "--seed-orders=100",
                            "--dir=" + dir);
        } finally {
            System.setOut(original);
        }
        String output = captured.toString(StandardCharsets.UTF_8);
        assertThat(output).contains("All checks passed.").doesNotContain("MISMATCH");
        // the live status of the capture job during the traffic, and verify of every sink
        assertThat(output)
                .containsPattern("ingest status: .* \\| checkpoint #\\d+ \\d+ s ago \\| restarts 0")
                .contains("Every sink against the database (changeflow verify):");
        assertThat(code).isZero();
    }

    /** Writes to both streams. */
    private static final class TeeStream extends java.io.OutputStream {
        private final java.io.OutputStream a;
        private final java.io.OutputStream b;

        TeeStream(java.io.OutputStream a, java.io.OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public void write(int value) throws java.io.IOException {
            a.write(value);
            b.write(value);
        }

        @Override
        public void write(byte[] bytes, int off, int len) throws java.io.IOException {
            a.write(bytes, off, len);
            b.write(bytes, off, len);
        }
    }
}
