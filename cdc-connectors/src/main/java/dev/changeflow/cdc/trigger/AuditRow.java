package dev.changeflow.cdc.trigger;

import dev.changeflow.cdc.trigger.TriggerSourceConfig.TableId;

import javax.annotation.Nullable;

/**
 * One row of the audit table (or, with {@code op = 'r'}, one row read by the snapshot) with its
 * rows still as the JSON text the trigger wrote.
 *
 * @param id the audit id; 0 for snapshot reads
 * @param txId the writing transaction (PostgreSQL {@code xid8}), null on MariaDB/MySQL
 * @param op {@code r}, {@code c}, {@code u} or {@code d}
 * @param tsMs when the trigger ran (epoch ms), or when the snapshot read the row
 */
public record AuditRow(
        long id,
        @Nullable Long txId,
        char op,
        TableId table,
        @Nullable String oldRow,
        @Nullable String newRow,
        long tsMs) {

    /** The row as one JSON object, for dead letters. */
    public String toJson() {
        return "{\"id\":"
                + id
                + ",\"txid\":"
                + txId
                + ",\"op\":\""
                + op
                + "\",\"table\":\""
                + table
                + "\",\"old_row\":"
                + oldRow
                + ",\"new_row\":"
                + newRow
                + ",\"ts_ms\":"
                + tsMs
                + "}";
    }
}
