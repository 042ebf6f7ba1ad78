package dev.changeflow.cdc.sql;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.Schema;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.catalog.CatalogTable;
import org.apache.flink.table.catalog.Column;
import org.apache.flink.table.catalog.ObjectIdentifier;
import org.apache.flink.table.catalog.ResolvedCatalogTable;
import org.apache.flink.table.catalog.ResolvedSchema;
import org.apache.flink.table.catalog.UniqueConstraint;
import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.table.connector.source.DynamicTableSource;
import org.apache.flink.table.factories.DynamicTableSourceFactory;
import org.apache.flink.table.factories.FactoryUtil;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The {@code trigger-cdc} and {@code query-cdc} factories as Flink's planner finds and calls them.
 */
class CdcTableFactoriesTest {

    private static final List<Column> COLUMNS =
            List.of(
                    Column.physical("id", DataTypes.BIGINT().notNull()),
                    Column.physical("status", DataTypes.STRING()));

    private static DynamicTableSource create(Map<String, String> options, boolean primaryKey) {
        ResolvedSchema schema =
                new ResolvedSchema(
                        COLUMNS,
                        List.of(),
                        primaryKey ? UniqueConstraint.primaryKey("pk", List.of("id")) : null);
        CatalogTable table =
                CatalogTable.of(
                        Schema.newBuilder().fromResolvedSchema(schema).build(),
                        null,
                        List.of(),
                        options);
        return FactoryUtil.createDynamicTableSource(
                null,
                ObjectIdentifier.of("cat", "db", "orders"),
                new ResolvedCatalogTable(table, schema),
                Map.of(),
                new Configuration(),
                CdcTableFactoriesTest.class.getClassLoader(),
                true);
    }

    private static Map<String, String> options(String connector, String... keyValues) {
        Map<String, String> options = new HashMap<>();
        options.put("connector", connector);
        options.put("hostname", "localhost");
        options.put("database-name", "shop");
        options.put("username", "u");
        options.put("table-list", "public.orders");
        for (int i = 0; i < keyValues.length; i += 2) {
            options.put(keyValues[i], keyValues[i + 1]);
        }
        return options;
    }

    @Test
    void bothConnectorsAreDiscoveredByIdentifier() {
        ClassLoader loader = getClass().getClassLoader();
        assertThat(
                        FactoryUtil.discoverFactory(
                                loader, DynamicTableSourceFactory.class, "trigger-cdc"))
                .isInstanceOf(TriggerCdcTableFactory.class);
        assertThat(
                        FactoryUtil.discoverFactory(
                                loader, DynamicTableSourceFactory.class, "query-cdc"))
                .isInstanceOf(QueryCdcTableFactory.class);
    }

    @Test
    void triggerTableIsAFullChangelogOfItsSourceOptions() {
        DynamicTableSource source =
                create(options("trigger-cdc", "trigger.dialect", "mysql", "port", "3307"), false);
        assertThat(source.asSummaryString()).isEqualTo("trigger-cdc");
        assertThat(((ChangeEventTableSource) source).getChangelogMode())
                .isEqualTo(ChangelogMode.all());
    }

    @Test
    void queryTableIsAnUpsertChangelog() {
        DynamicTableSource source =
                create(
                        options(
                                "query-cdc",
                                "query.tables",
                                "public.orders:timestamp=updated_at,id"),
                        true);
        assertThat(((ChangeEventTableSource) source).getChangelogMode())
                .isEqualTo(ChangelogMode.upsert());
    }

    @Test
    void queryTableWithoutPrimaryKeyFailsNamingTheFix() {
        assertThatThrownBy(() -> create(options("query-cdc"), false))
                .hasStackTraceContaining("has no primary key")
                .hasStackTraceContaining("PRIMARY KEY (id) NOT ENFORCED");
    }

    @Test
    void unknownOptionFailsWithTheValidKeys() {
        assertThatThrownBy(() -> create(options("trigger-cdc", "query.tables", "x"), false))
                .isInstanceOf(ValidationException.class)
                .hasStackTraceContaining("Unsupported options")
                .hasStackTraceContaining("query.tables")
                .hasStackTraceContaining("trigger.audit-table");
    }

    @Test
    void missingRequiredOptionFails() {
        Map<String, String> options = options("query-cdc");
        options.remove("hostname");
        assertThatThrownBy(() -> create(options, true))
                .isInstanceOf(ValidationException.class)
                .hasStackTraceContaining("Missing required options")
                .hasStackTraceContaining("hostname");
    }

    @Test
    void badlyTypedOptionFails() {
        assertThatThrownBy(() -> create(options("trigger-cdc", "trigger.dialect", "oracle"), false))
                .isInstanceOf(ValidationException.class)
                .hasStackTraceContaining("trigger.dialect");
    }
}
