package dev.changeflow.schemas;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PositionsTest {

    @Test
    void binlogCoordinatesReadBackFromPositions() {
        assertThat(Positions.binlogCoordinate(Positions.ofBinlog("mysql-bin.000003", 154)))
                .containsExactly(3, 154);
        assertThat(Positions.binlogCoordinate(Positions.ofBinlog("my.bin.log.000012", 9, 2)))
                .containsExactly(12, 9);
        assertThat(Positions.binlogCoordinate(Positions.BINLOG_SNAPSHOT)).isNull();
        assertThat(Positions.binlogCoordinate(Positions.ofLsn(0x16B3748))).isNull();
        assertThat(Positions.binlogCoordinate(Positions.ofSequence(42))).isNull();
        assertThat(Positions.binlogCoordinate(null)).isNull();
    }

    @Test
    void sequencesArePaddedSoTheySortNumerically() {
        assertThat(Positions.ofSequence(42)).isEqualTo("0000000000000000042");
        assertThat(Positions.ofSequence(Long.MAX_VALUE)).isEqualTo("9223372036854775807");
        assertSortsInOrder(
                Positions.ofSequence(0),
                Positions.ofSequence(9),
                Positions.ofSequence(10),
                Positions.ofSequence(100),
                Positions.ofSequence(Long.MAX_VALUE));
    }

    @Test
    void lsnsAreUpperCaseHexAndSortAsUnsigned() {
        assertThat(Positions.ofLsn(0x16B3748L)).isEqualTo("00000000/016B3748");
        assertThat(Positions.ofLsn(0x1_0000_0000L)).isEqualTo("00000001/00000000");
        assertThat(Positions.ofLsn(-1L)).isEqualTo("FFFFFFFF/FFFFFFFF");
        assertSortsInOrder(
                Positions.ofLsn(0),
                Positions.ofLsn(0xFL),
                Positions.ofLsn(0xAL << 8),
                Positions.ofLsn(0x1_0000_0000L),
                Positions.ofLsn(Long.MAX_VALUE),
                Positions.ofLsn(Long.MIN_VALUE));
    }

    @Test
    void binlogCoordinatesSortAcrossFileRollover() {
        assertThat(Positions.ofBinlog("mysql-bin.000003", 154))
                .isEqualTo("mysql-bin.0000000003:0000000000000000154");
        assertSortsInOrder(
                Positions.ofBinlog("mysql-bin.000003", 4),
                Positions.ofBinlog("mysql-bin.000003", 154),
                Positions.ofBinlog("mysql-bin.000003", 1000),
                Positions.ofBinlog("mysql-bin.000004", 4),
                Positions.ofBinlog("mysql-bin.999999", 4),
                Positions.ofBinlog("mysql-bin.1000000", 4));
    }

    @Test
    void binlogRowsWithinAnEventSortAndSnapshotRowsComeFirst() {
        assertThat(Positions.ofBinlog("mysql-bin.000003", 154, 2))
                .isEqualTo("mysql-bin.0000000003:0000000000000000154:0000000002");
        assertSortsInOrder(
                Positions.BINLOG_SNAPSHOT,
                Positions.ofBinlog("0binlog.000001", 4, 0),
                Positions.ofBinlog("Binlog.000001", 4, 0),
                Positions.ofBinlog("_binlog.000001", 4, 0),
                Positions.ofBinlog("mysql-bin.000001", 0, 0),
                Positions.ofBinlog("mysql-bin.000003", 154, 0),
                Positions.ofBinlog("mysql-bin.000003", 154, 1),
                Positions.ofBinlog("mysql-bin.000003", 154, 10),
                Positions.ofBinlog("mysql-bin.000003", 155, 0),
                Positions.ofBinlog("mysql-bin.000004", 4, Integer.MAX_VALUE),
                Positions.ofBinlog("mysql-bin.1000000", 4, 0));
        assertThatThrownBy(() -> Positions.ofBinlog("mysql-bin.000001", 4, -1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("binlog row must be >= 0, got -1");
    }

    @Test
    void timestampsSortWithTieBreakers() {
        LocalDateTime t = LocalDateTime.of(2024, 1, 2, 3, 4, 5);
        assertThat(Positions.ofTimestamp(t.withNano(123_456_000), 42))
                .isEqualTo("2024-01-02T03:04:05.123456000/0000000000000000042");
        assertThat(Positions.ofTimestamp(Instant.parse("2024-01-02T03:04:05Z"), 1))
                .isEqualTo("2024-01-02T03:04:05.000000000/0000000000000000001");
        assertSortsInOrder(
                Positions.ofTimestamp(t.withYear(999), 5),
                Positions.ofTimestamp(t, 7),
                Positions.ofTimestamp(t, 10),
                Positions.ofTimestamp(t.withNano(90_000_000), 1),
                Positions.ofTimestamp(t.withNano(100_000_000), 1),
                Positions.ofTimestamp(t.plusSeconds(1), 0));
        assertSortsInOrder(Positions.ofTimestamp(t), Positions.ofTimestamp(t.plusNanos(1)));
    }

    @Test
    void compareIsStringOrder() {
        assertThat(Positions.compare(Positions.ofSequence(9), Positions.ofSequence(10)))
                .isNegative();
        assertThat(Positions.compare(Positions.ofSequence(10), Positions.ofSequence(10))).isZero();
        assertThat(Positions.compare(Positions.ofSequence(11), Positions.ofSequence(10)))
                .isPositive();
    }

    @Test
    void rejectsValuesThatCannotSort() {
        assertThatThrownBy(() -> Positions.ofSequence(-1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("sequence must be >= 0, got -1");
        assertThatThrownBy(() -> Positions.ofBinlog("mysql-bin.000001", -5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("binlog offset must be >= 0, got -5");
        assertThatThrownBy(() -> Positions.ofBinlog("mysql-bin", 4))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("binlog file must look like <name>.<number>, got mysql-bin");
        assertThatThrownBy(() -> Positions.ofBinlog("mysql-bin.abc", 4))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("binlog file must look like <name>.<number>, got mysql-bin.abc");
        assertThatThrownBy(() -> Positions.ofTimestamp(LocalDateTime.of(10000, 1, 1, 0, 0), 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("timestamp position must have a year in 0000-9999");
        assertThatThrownBy(() -> Positions.ofTimestamp(LocalDateTime.of(2024, 1, 1, 0, 0), -1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("tie-breaker must be >= 0, got -1");
    }

    private static void assertSortsInOrder(String... inOrder) {
        List<String> shuffled = new ArrayList<>(List.of(inOrder));
        Collections.reverse(shuffled);
        Collections.sort(shuffled);
        assertThat(shuffled).containsExactly(inOrder);
    }
}
