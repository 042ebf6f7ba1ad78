package dev.changeflow.bench;

import org.apache.flink.connector.base.DeliveryGuarantee;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The benchmark's parts that need no server; no benchmark runs in the build. */
class BenchPartsTest {

    @Test
    void countsPgoutputMessagesAsPgRecvLogicalWritesThem() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        // Begin
        out.writeByte('B');
        out.writeLong(100);
        out.writeLong(200);
        out.writeInt(7);
        out.writeByte('\n');
        // Relation with two columns
        out.writeByte('R');
        out.writeInt(16384);
        out.write("public\0bench_orders\0".getBytes(StandardCharsets.UTF_8));
        out.writeByte('f');
        out.writeShort(2);
        out.writeByte(1);
        out.write("id\0".getBytes(StandardCharsets.UTF_8));
        out.writeInt(20);
        out.writeInt(-1);
        out.writeByte(0);
        out.write("note\0".getBytes(StandardCharsets.UTF_8));
        out.writeInt(25);
        out.writeInt(-1);
        out.writeByte('\n');
        // Insert: a value holding a newline must not confuse the framing
        out.writeByte('I');
        out.writeInt(16384);
        out.writeByte('N');
        tuple(out, "1", "line\nbreak");
        out.writeByte('\n');
        // Update with the old row (REPLICA IDENTITY FULL)
        out.writeByte('U');
        out.writeInt(16384);
        out.writeByte('O');
        tuple(out, "1", "line\nbreak");
        out.writeByte('N');
        tuple(out, "1", null);
        out.writeByte('\n');
        // Delete
        out.writeByte('D');
        out.writeInt(16384);
        out.writeByte('O');
        tuple(out, "1", null);
        out.writeByte('\n');
        // Commit
        out.writeByte('C');
        out.writeByte(0);
        out.writeLong(1);
        out.writeLong(2);
        out.writeLong(3);
        out.writeByte('\n');

        PgRecvLogical.PgOutputCounts counts =
                PgRecvLogical.PgOutputCounts.parse(new ByteArrayInputStream(bytes.toByteArray()));

        assertThat(counts).isEqualTo(new PgRecvLogical.PgOutputCounts(1, 1, 1, 1, 1, 1));
        assertThat(counts.changes()).isEqualTo(3);
    }

    private static void tuple(DataOutputStream out, String... values) throws IOException {
        out.writeShort(values.length);
        for (String value : values) {
            if (value == null) {
                out.writeByte('n');
            } else {
                byte[] b = value.getBytes(StandardCharsets.UTF_8);
                out.writeByte('t');
                out.writeInt(b.length);
                out.write(b);
            }
        }
    }

    @Test
    void percentilesAreNearestRank() {
        long[] nanos = new long[100];
        for (int i = 0; i < 100; i++) {
            nanos[i] = (100 - i) * 1_000_000L; // 100 ms .. 1 ms, unsorted
        }
        double[] p = Results.percentilesMs(nanos, 100, 50, 99, 100);
        assertThat(p).containsExactly(50.0, 99.0, 100.0);
    }

    @Test
    void checksSayPassOrMissAndByHowMuch() {
        Results.Throughput eos =
                new Results.Throughput(
                        "exactly-once",
                        1000,
                        200,
                        1,
                        15_000,
                        1,
                        1,
                        1000,
                        1,
                        60_000,
                        List.of(60_000.0),
                        1000,
                        1,
                        0.25,
                        null);
        Results.Latency alo =
                new Results.Latency(
                        "at-least-once", 5000, 5000, 10, 0, 10, 20, 120, 130, 5, 9, 500, null);
        List<Results.Check> checks = Results.checks(List.of(eos), List.of(alo), 300L << 20);

        assertThat(checks)
                .extracting(Results.Check::pass)
                .containsExactly(false, false, true, true);
        assertThat(checks.get(0).margin()).isEqualTo("missed by 5,000 changes/s (-25%)");
        assertThat(checks.get(1).margin()).isEqualTo("missed by 0.25x (-50%)");
        assertThat(checks.get(2).margin()).isEqualTo("by 380 ms (+76%)");
        assertThat(checks.get(3).margin()).isEqualTo("by 724 MiB (+71%)");
    }

    @Test
    void optionsHaveDefaultsAndRejectUnknownKeys() {
        BenchOptions defaults = BenchOptions.parse(new String[0]);
        assertThat(defaults.changes()).isEqualTo(200_000);
        assertThat(defaults.rate()).isEqualTo(5000);
        assertThat(defaults.checkpointInterval()).isEqualTo(Duration.ofMillis(500));
        assertThat(defaults.guarantees())
                .containsExactly(DeliveryGuarantee.EXACTLY_ONCE, DeliveryGuarantee.AT_LEAST_ONCE);

        BenchOptions quick =
                BenchOptions.parse(
                        new String[] {"--quick", "--guarantees", "at-least-once", "--rate", "100"});
        assertThat(quick.changes()).isEqualTo(20_000);
        assertThat(quick.rate()).isEqualTo(100);
        assertThat(quick.guarantees()).containsExactly(DeliveryGuarantee.AT_LEAST_ONCE);

        assertThatThrownBy(() -> BenchOptions.parse(new String[] {"--chnages", "5"}))
                .hasMessageContaining("unknown option(s) [chnages]");
    }
}
