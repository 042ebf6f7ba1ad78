package dev.changeflow.cdc.sql;

import dev.changeflow.cdc.query.QuerySource;
import dev.changeflow.cdc.query.config.QuerySourceOptions;

import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.table.connector.source.DynamicTableSource;

/**
 * {@code 'connector' = 'query-cdc'}: a table over {@link QuerySource}, whose options are the
 * table's ({@link QuerySourceOptions}). A polled update has no old row and a hard delete carries
 * only the key columns, so the table is an upsert changelog ({@link ChangelogMode#upsert()}) and
 * must declare {@code PRIMARY KEY (...) NOT ENFORCED}; Flink's planner then keeps the last row per
 * key ({@code ChangelogNormalize}) for sinks that need old rows.
 */
public final class QueryCdcTableFactory extends ChangeEventTableFactory {

    /** The {@code 'connector'} value. */
    public static final String IDENTIFIER = "query-cdc";

    public QueryCdcTableFactory() {
        super(
                IDENTIFIER,
                QuerySourceOptions.all(),
                QuerySource::fromConfiguration,
                ChangelogMode.upsert());
    }

    @Override
    public DynamicTableSource createDynamicTableSource(Context context) {
        if (context.getCatalogTable().getResolvedSchema().getPrimaryKey().isEmpty()) {
            throw new ValidationException(
                    "table "
                            + context.getObjectIdentifier().asSummaryString()
                            + " ('connector' = '"
                            + IDENTIFIER
                            + "') has no primary key: query-based capture is an upsert changelog"
                            + " (updates without the old row, deletes by key); declare the"
                            + " table's key, e.g. PRIMARY KEY (id) NOT ENFORCED");
        }
        return super.createDynamicTableSource(context);
    }
}
