package dev.changeflow.schemas;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SourceInfoTest {

    @Test
    void builderSetsEveryField() {
        SourceInfo source =
                SourceInfo.builder(Connector.QUERY, "shop", "public", "orders")
                        .tsMs(42)
                        .snapshot(true)
                        .position("p")
                        .txId(7L)
                        .build();

        assertThat(source)
                .isEqualTo(
                        new SourceInfo(
                                Connector.QUERY, "shop", "public", "orders", 42, true, "p", 7L));
        assertThat(source.toBuilder().position("q").build().position()).isEqualTo("q");
        assertThat(source.toBuilder().build()).isEqualTo(source);
    }

    @Test
    void schemaAndTxIdAreOptional() {
        SourceInfo source =
                SourceInfo.builder(Connector.LOG, "shop", null, "orders")
                        .tsMs(0)
                        .position("p")
                        .build();

        assertThat(source.schema()).isNull();
        assertThat(source.txId()).isNull();
        assertThat(source.snapshot()).isFalse();
    }

    @Test
    void rejectsInvalidFieldsNamingThem() {
        assertThatThrownBy(() -> new SourceInfo(null, "d", "s", "t", 0, false, "p", null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("source.connector must not be null");
        assertThatThrownBy(() -> new SourceInfo(Connector.LOG, " ", "s", "t", 0, false, "p", null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("source.db must be non-blank, got ' '");
        assertThatThrownBy(() -> new SourceInfo(Connector.LOG, "d", "", "t", 0, false, "p", null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("source.schema must be null (MariaDB/MySQL) or non-blank, got ''");
        assertThatThrownBy(() -> new SourceInfo(Connector.LOG, "d", "s", null, 0, false, "p", null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("source.table must be non-blank, got null");
        assertThatThrownBy(() -> new SourceInfo(Connector.LOG, "d", "s", "t", -1, false, "p", null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("source.ts_ms must be epoch milliseconds >= 0, got -1");
        assertThatThrownBy(() -> SourceInfo.builder(Connector.LOG, "d", "s", "t").tsMs(1).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("source.position must be non-blank, got null");
        assertThatThrownBy(
                        () ->
                                SourceInfo.builder(Connector.LOG, "d", "s", "t")
                                        .position("p")
                                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("source.ts_ms must be epoch milliseconds >= 0, got -1");
    }
}
