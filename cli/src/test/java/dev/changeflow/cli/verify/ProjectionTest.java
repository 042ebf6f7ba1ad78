package dev.changeflow.cli.verify;

import dev.changeflow.cli.verify.TableShape.ColumnKind;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ProjectionTest {

    private static final TableShape ORDERS = orders();

    @Test
    void documentFieldsMatchByNameCamelCaseOrRenaming() {
        Projection projection =
                Projection.fields(
                        ORDERS,
                        List.of("orderId", "customerId", "status", "created_at", "category"),
                        Map.of("orders", Map.of("id", "orderId")));
        assertThat(projection.columns())
                .containsExactly("id", "customer_id", "status", "created_at");
        assertThat(projection.field("customer_id")).isEqualTo("customerId");
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("orderId", 7);
        doc.put("customerId", 3);
        doc.put("status", "paid");
        doc.put("created_at", 1_767_323_045_678L);
        doc.put("category", "books");
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", 7L);
        row.put("customer_id", 3L);
        row.put("status", "paid");
        row.put("created_at", "2026-01-02 03:04:05.678");
        row.put("amount", "9.99");
        assertThat(projection.ofSink(doc)).isEqualTo(projection.ofDatabase(row));
    }

    @Test
    void documentIdsSplitOnUnescapedBars() {
        assertThat(ElasticsearchSide.idParts("42")).containsExactly("42");
        assertThat(ElasticsearchSide.idParts("a\\|b|c\\\\")).containsExactly("a|b", "c\\");
        assertThat(ElasticsearchSide.idParts(dev.changeflow.jobs.sinks.DocumentIds.of("x|y", 3)))
                .containsExactly("x|y", "3");
    }

    @Test
    void keyPartsTakeTheKeyColumnsTypes() {
        Projection projection = Projection.wholeRow(ORDERS);
        assertThat(projection.keyFromText(List.of("42"))).containsExactly(42L);
        assertThat(Projection.camelCase("created_at")).isEqualTo("createdAt");
        assertThat(Projection.camelCase("_x")).isEqualTo("x");
    }

    private static TableShape orders() {
        Map<String, ColumnKind> columns = new LinkedHashMap<>();
        columns.put("id", ColumnKind.NUMBER);
        columns.put("customer_id", ColumnKind.NUMBER);
        columns.put("amount", ColumnKind.NUMBER);
        columns.put("status", ColumnKind.TEXT);
        columns.put("created_at", ColumnKind.TIMESTAMP);
        return new TableShape("public.orders", "shop", "public", "orders", columns, List.of("id"));
    }
}
