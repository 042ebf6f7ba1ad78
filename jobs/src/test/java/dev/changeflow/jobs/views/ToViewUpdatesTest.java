package dev.changeflow.jobs.views;

import dev.changeflow.schemas.ChangeEvent;
import dev.changeflow.schemas.Connector;
import dev.changeflow.schemas.Positions;
import dev.changeflow.schemas.SourceInfo;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ToViewUpdatesTest {

    private static final SourceInfo SOURCE =
            SourceInfo.builder(Connector.LOG, "shop", "public", "order_lines")
                    .tsMs(1_700_000_000_000L)
                    .position(Positions.ofLsn(42))
                    .build();

    @Test
    void compositeKeysAreJoinedInKeyOrderInsideOneHashTag() {
        assertThat(ToViewUpdates.keyText("{\"order_id\":7,\"line\":\"b\"}")).isEqualTo("7:b");
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("order_id", 7L);
        row.put("line", "b");
        ViewUpdate update =
                ToViewUpdates.toUpdate(
                        "view",
                        "{\"order_id\":7,\"line\":\"b\"}",
                        ChangeEvent.delete(SOURCE, 1L, row));
        assertThat(update.key()).isEqualTo("view:order_lines:{7:b}");
        assertThat(update.deleteMarkerKey()).isEqualTo("view:order_lines:{7:b}:deleted");
        assertThat(update.delete()).isTrue();
        assertThat(update.fields()).isEmpty();
    }

    @Test
    void columnsBecomeTextFieldsAndNullsAreLeftOut() {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", 1L);
        row.put("price", new BigDecimal("1E+2"));
        row.put("tags", List.of("a", "b"));
        row.put("active", true);
        row.put("note", null);

        ViewUpdate update =
                ToViewUpdates.toUpdate("v", "{\"id\":1}", ChangeEvent.create(SOURCE, 1L, row));

        assertThat(update.position()).isEqualTo(Positions.ofLsn(42));
        assertThat(update.fields())
                .containsExactly(
                        "_op",
                        "c",
                        "_ts_ms",
                        "1700000000000",
                        "id",
                        "1",
                        "price",
                        "100",
                        "tags",
                        "[\"a\",\"b\"]",
                        "active",
                        "true");
    }
}
