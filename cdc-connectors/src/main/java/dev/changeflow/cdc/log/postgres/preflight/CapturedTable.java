package dev.changeflow.cdc.log.postgres.preflight;

/**
 * A table the source captures, as found in the catalog by {@link PostgresPreflight}.
 *
 * @param schema the schema (namespace)
 * @param table the table name
 * @param replicaIdentity {@code pg_class.relreplident}: {@code d} default, {@code n} nothing,
 *     {@code f} full, {@code i} index
 * @param selectable whether the user may SELECT from it
 * @param owned whether the user owns it (directly or through a role, or is a superuser), which
 *     {@code CREATE PUBLICATION ... FOR TABLE} and {@code ALTER TABLE} need
 */
public record CapturedTable(
        String schema, String table, char replicaIdentity, boolean selectable, boolean owned) {

    /** {@code schema.table}, unquoted, as Flink CDC's table list and Debezium name it. */
    public String qualifiedName() {
        return schema + "." + table;
    }

    /** {@code "schema"."table"}, quoted for SQL. */
    public String quoted() {
        return PostgresPreflight.ident(schema) + "." + PostgresPreflight.ident(table);
    }

    /** Whether updates and deletes log the full old row. */
    public boolean replicaIdentityFull() {
        return replicaIdentity == 'f';
    }
}
