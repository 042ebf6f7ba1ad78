package dev.changeflow.cdc.query.config;

import dev.changeflow.cdc.config.NameLists;
import dev.changeflow.cdc.log.CdcSetupException;

import org.apache.flink.configuration.Configuration;

import javax.annotation.Nullable;

import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The validated options of a {@link dev.changeflow.cdc.query.QuerySource}.
 *
 * @param tables the polled tables with their modes, in option order
 */
public record QuerySourceConfig(
        QueryDialect dialect,
        String hostname,
        int port,
        String database,
        String username,
        String password,
        Map<String, TableSpec> tables,
        QueryStartupMode startupMode,
        Duration pollInterval,
        int batchSize,
        Duration horizonMargin,
        @Nullable String softDeleteColumn,
        @Nullable String createdColumn,
        @Nullable String versionColumn,
        Duration deleteScanInterval,
        boolean requireIndex)
        implements Serializable {

    /**
     * Reads and validates {@link QuerySourceOptions} from {@code conf}.
     *
     * @throws CdcSetupException naming the option and the fix
     */
    public static QuerySourceConfig from(Configuration conf) {
        QueryDialect dialect = conf.get(QuerySourceOptions.DIALECT);
        String hostname = required(conf.get(QuerySourceOptions.HOSTNAME), "hostname");
        String username = required(conf.get(QuerySourceOptions.USERNAME), "username");
        Integer port = conf.get(QuerySourceOptions.PORT);
        Map<String, TableSpec> specs;
        try {
            specs = TableSpec.parseAll(conf.get(QuerySourceOptions.TABLES));
        } catch (IllegalArgumentException e) {
            throw new CdcSetupException(e.getMessage(), e);
        }
        List<String> listed = NameLists.get(conf, QuerySourceOptions.TABLE_LIST);
        Map<String, TableSpec> tables = new LinkedHashMap<>();
        if (listed == null) {
            tables.putAll(specs);
        } else {
            List<String> missing = new ArrayList<>();
            for (String table : listed) {
                TableSpec spec = specs.get(table);
                if (spec == null) {
                    missing.add(table);
                } else {
                    tables.put(table, spec);
                }
            }
            if (!missing.isEmpty()) {
                throw new CdcSetupException(
                        "tables "
                                + missing
                                + " of table-list have no mode in query.tables; add e.g. '"
                                + missing.get(0)
                                + ":incrementing=id' or '"
                                + missing.get(0)
                                + ":timestamp=updated_at,id'");
            }
        }
        if (tables.isEmpty()) {
            throw new CdcSetupException(
                    "no table to poll: set query.tables, e.g. 'public.orders:incrementing=id'");
        }
        String database =
                dialect == QueryDialect.MARIADB && conf.get(QuerySourceOptions.DATABASE) == null
                        ? NameLists.databaseOf(
                                new ArrayList<>(tables.keySet()), QuerySourceOptions.TABLES.key())
                        : required(conf.get(QuerySourceOptions.DATABASE), "database-name");
        int batch = conf.get(QuerySourceOptions.BATCH_SIZE);
        if (batch < 1) {
            throw new CdcSetupException("query.batch.size must be >= 1, got " + batch);
        }
        Duration poll = conf.get(QuerySourceOptions.POLL_INTERVAL);
        if (poll.isNegative() || poll.isZero()) {
            throw new CdcSetupException("query.poll.interval must be positive, got " + poll);
        }
        Duration margin = conf.get(QuerySourceOptions.HORIZON_MARGIN);
        Duration scan = conf.get(QuerySourceOptions.DELETE_SCAN_INTERVAL);
        if (margin.isNegative() || scan.isNegative()) {
            throw new CdcSetupException(
                    "query.horizon.margin and query.delete-scan.interval must not be negative");
        }
        return new QuerySourceConfig(
                dialect,
                hostname,
                port != null ? port : dialect == QueryDialect.POSTGRES ? 5432 : 3306,
                database,
                username,
                conf.get(QuerySourceOptions.PASSWORD),
                new LinkedHashMap<>(tables),
                conf.get(QuerySourceOptions.STARTUP_MODE),
                poll,
                batch,
                margin,
                blankToNull(conf.get(QuerySourceOptions.SOFT_DELETE_COLUMN)),
                blankToNull(conf.get(QuerySourceOptions.CREATED_COLUMN)),
                blankToNull(conf.get(QuerySourceOptions.VERSION_COLUMN)),
                scan,
                conf.get(QuerySourceOptions.REQUIRE_INDEX));
    }

    /** The table names, {@code schema.table} or {@code db.table}. */
    public List<String> tableList() {
        return List.copyOf(tables.keySet());
    }

    private static String required(String value, String option) {
        if (value == null || value.isBlank()) {
            throw new CdcSetupException("option '" + option + "' is required");
        }
        return value;
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }

    @Override
    public String toString() {
        return "QuerySourceConfig[" + dialect + " " + hostname + ":" + port + "/" + database + "]";
    }
}
