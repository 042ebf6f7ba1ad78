package dev.changeflow.cdc.trigger;

import dev.changeflow.cdc.trigger.TriggerSourceConfig.TableId;
import dev.changeflow.schemas.ChangeEvent;
import dev.changeflow.schemas.Connector;
import dev.changeflow.schemas.Op;
import dev.changeflow.schemas.Positions;
import dev.changeflow.schemas.SourceInfo;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Turns {@link AuditRow}s into {@link ChangeEvent}s: parses the JSON rows, decodes each column by
 * its type (from the database's metadata, through the dialect) and builds the envelope with {@code
 * connector = trigger} and the audit id as position ({@link Positions#ofSequence}; snapshot reads
 * get position 0, which sorts before every change).
 */
final class TriggerRows {

    static final ObjectMapper MAPPER =
            new ObjectMapper()
                    .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                    .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
                    // keep the scale: numeric 5.00 stays 5.00, as the log source has it
                    .setNodeFactory(JsonNodeFactory.withExactBigDecimals(true));

    private final TriggerDialect dialect;
    private final String db;
    private final boolean schemas;
    private final Supplier<Map<TableId, Map<String, String>>> reload;
    private Map<TableId, Map<String, String>> types;
    private final Map<TableId, List<String>> keys;

    /**
     * @param schemas whether the source has schemas (PostgreSQL); MariaDB/MySQL events carry a null
     *     schema and the database as {@code db}
     * @param reload reads the column types again (a column was added)
     */
    TriggerRows(
            TriggerDialect dialect,
            String db,
            boolean schemas,
            Map<TableId, Map<String, String>> types,
            Map<TableId, List<String>> keys,
            Supplier<Map<TableId, Map<String, String>>> reload) {
        this.keys = keys;
        this.dialect = dialect;
        this.db = db;
        this.schemas = schemas;
        this.types = types;
        this.reload = reload;
    }

    /**
     * Converts one audit row: one event, or a delete and a create (as Debezium emits it) for an
     * update that changed the primary key.
     *
     * @throws IllegalArgumentException naming the table and column that cannot be converted
     */
    List<ChangeEvent> toEvents(AuditRow row) {
        ChangeEvent event = toEvent(row);
        List<String> key = keys.get(row.table());
        if (event.op() != Op.UPDATE || key == null || key.isEmpty()) {
            return List.of(event);
        }
        for (String column : key) {
            if (!Objects.equals(event.before().get(column), event.after().get(column))) {
                return List.of(
                        ChangeEvent.delete(event.source(), event.tsMs(), event.before()),
                        ChangeEvent.create(event.source(), event.tsMs(), event.after()));
            }
        }
        return List.of(event);
    }

    /**
     * Converts one audit row.
     *
     * @throws IllegalArgumentException naming the table and column that cannot be converted
     */
    ChangeEvent toEvent(AuditRow row) {
        TableId table = row.table();
        Map<String, Object> before = row(table, row.oldRow(), "old_row");
        Map<String, Object> after = row(table, row.newRow(), "new_row");
        SourceInfo source =
                SourceInfo.builder(
                                Connector.TRIGGER,
                                db,
                                schemas ? table.schema() : null,
                                table.table())
                        .tsMs(Math.max(0, row.tsMs()))
                        .snapshot(row.op() == 'r')
                        .position(Positions.ofSequence(row.id()))
                        .txId(row.txId())
                        .build();
        long now = System.currentTimeMillis();
        try {
            switch (row.op()) {
                case 'r':
                    return ChangeEvent.read(source, now, after);
                case 'c':
                    return ChangeEvent.create(source, now, after);
                case 'u':
                    return ChangeEvent.update(source, now, before, after);
                case 'd':
                    return ChangeEvent.delete(source, now, before);
                default:
                    throw new IllegalArgumentException(
                            "audit row " + row.id() + " has unknown op '" + row.op() + "'");
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "table " + table + ", audit id " + row.id() + ": " + e.getMessage(), e);
        }
    }

    private Map<String, Object> row(TableId table, String json, String field) {
        if (json == null) {
            return null;
        }
        JsonNode node;
        try {
            node = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(
                    "table " + table + ": " + field + " is not JSON: " + e.getOriginalMessage(), e);
        }
        Map<String, String> columns = types.get(table);
        if (columns == null || !hasAll(columns, node)) {
            types = reload.get();
            columns = types.get(table);
            if (columns == null) {
                throw new IllegalArgumentException("table " + table + " has no columns");
            }
        }
        Map<String, Object> values = new LinkedHashMap<>();
        for (Map.Entry<String, String> column : columns.entrySet()) {
            JsonNode value = node.get(column.getKey());
            try {
                values.put(
                        column.getKey(),
                        dev.changeflow.schemas.ColumnValues.toJsonValue(
                                dialect.decode(column.getValue(), value)));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(
                        "table "
                                + table
                                + ", column '"
                                + column.getKey()
                                + "' of type "
                                + column.getValue()
                                + ": "
                                + e.getMessage(),
                        e);
            }
        }
        return values;
    }

    private static boolean hasAll(Map<String, String> columns, JsonNode node) {
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            if (!columns.containsKey(names.next())) {
                return false;
            }
        }
        return true;
    }
}
