package dev.changeflow.cdc.query.config;

import javax.annotation.Nullable;

import java.io.Serializable;
import java.util.List;

/**
 * How the reader polls one table, resolved against the database by the preflight: the spec plus the
 * table's key and the optional columns it has.
 *
 * @param id {@code schema.table} or {@code db.table}, the split id
 * @param namespace the schema (PostgreSQL) or database (MariaDB)
 * @param table the table name
 * @param mode how it is polled
 * @param column the incrementing or timestamp column
 * @param tieBreaker the timestamp mode's integer tie-breaker column, null in incrementing mode
 * @param primaryKey the key columns in key order
 * @param softDelete the soft-delete column if the table has it
 * @param softDeleteBoolean whether {@code softDelete} is a boolean (true = deleted) rather than a
 *     not-null marker
 * @param created the creation-time column if the table has it (timestamp mode)
 * @param version the row version column if the table has it (timestamp mode)
 * @param sequence the PostgreSQL sequence behind an incrementing column, null otherwise
 */
public record TablePlan(
        String id,
        String namespace,
        String table,
        TableMode mode,
        String column,
        @Nullable String tieBreaker,
        List<String> primaryKey,
        @Nullable String softDelete,
        boolean softDeleteBoolean,
        @Nullable String created,
        @Nullable String version,
        @Nullable String sequence)
        implements Serializable {

    /** The column that orders rows of one position: the tie-breaker or the incrementing column. */
    public String orderColumn() {
        return mode == TableMode.TIMESTAMP ? tieBreaker : column;
    }
}
