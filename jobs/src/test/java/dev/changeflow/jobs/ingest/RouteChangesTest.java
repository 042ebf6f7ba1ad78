package dev.changeflow.jobs.ingest;

import dev.changeflow.schemas.Positions;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RouteChangesTest {

    @Test
    void theBinlogGaugeOrdersFilesBeforeOffsets() {
        long third = RouteChanges.binlogPosition(Positions.ofBinlog("mysql-bin.000003", 154));
        assertThat(third).isEqualTo(3L << 32 | 154);
        assertThat(RouteChanges.binlogPosition(Positions.ofBinlog("mysql-bin.000004", 4)))
                .isGreaterThan(third);
        assertThat(RouteChanges.binlogPosition(Positions.ofLsn(123))).isEqualTo(-1);
        assertThat(RouteChanges.binlogPosition(null)).isEqualTo(-1);
    }
}
