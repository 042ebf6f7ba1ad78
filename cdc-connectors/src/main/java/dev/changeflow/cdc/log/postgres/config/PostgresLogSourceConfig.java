package dev.changeflow.cdc.log.postgres.config;

import dev.changeflow.cdc.config.DebeziumProperties;
import dev.changeflow.cdc.config.NameLists;
import dev.changeflow.cdc.log.CdcSetupException;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;

import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The resolved, validated options of a PostgreSQL log source: {@link #from(Configuration)} applies
 * the defaults of {@link PostgresLogSourceOptions} and fails with a message naming the option that
 * is missing or wrong.
 *
 * @param debeziumProperties the pass-through Debezium properties, including the ones Changeflow
 *     sets (see {@link #from(Configuration)})
 */
public record PostgresLogSourceConfig(
        String hostname,
        int port,
        String database,
        String username,
        String password,
        List<String> schemaList,
        List<String> tableList,
        String slotName,
        String publicationName,
        StartupMode startupMode,
        int splitSize,
        Duration heartbeatInterval,
        ReplicaIdentityMode replicaIdentityMode,
        boolean preflight,
        Properties debeziumProperties)
        implements Serializable {

    private static final Pattern SLOT_NAME = Pattern.compile("[a-z0-9_]{1,63}");

    /** Why a PostgreSQL log source cannot start at a timestamp. */
    public static final String TIMESTAMP_STARTUP_UNSUPPORTED =
            "PostgreSQL log-based CDC cannot start at a timestamp (option '"
                    + PostgresLogSourceOptions.STARTUP_MODE.key()
                    + "' = timestamp or '"
                    + PostgresLogSourceOptions.STARTUP_TIMESTAMP_MILLIS.key()
                    + "'): logical decoding streams a replication slot from its confirmed LSN"
                    + " onwards, PostgreSQL keeps no index from commit time to WAL position, and"
                    + " Flink CDC 3.5.0's PostgreSQL source has no timestamp startup. Use"
                    + " 'initial' (snapshot, then changes) or 'latest' (changes from now), or"
                    + " restore the job from a checkpoint or savepoint to resume where it stopped";

    /**
     * Debezium properties Changeflow sets: {@code decimal.handling.mode=precise} (decimals as exact
     * {@code BigDecimal}s, never Debezium's base64 bytes), {@code binary.handling.mode=bytes},
     * {@code hstore.handling.mode=map} (an hstore is the JSON object of TYPES.md, not a string),
     * and pgoutput's publication (created by the preflight; {@code publication.autocreate.mode} is
     * {@code disabled} or {@code all_tables}, never {@code filtered}: FLINK-38907).
     */
    /** Debezium's fully-qualified data type names end with the type: db.schema.table.hstore. */
    private static final String HSTORE_TYPE = ".+\\.hstore";

    private static final Map<String, String> FORCED =
            Map.of(
                    "decimal.handling.mode",
                    "precise|string",
                    "binary.handling.mode",
                    "bytes",
                    "hstore.handling.mode",
                    "json");

    /**
     * Resolves and validates the options.
     *
     * @throws CdcSetupException naming the option that is missing or invalid
     */
    public static PostgresLogSourceConfig from(Configuration conf) {
        String slot = required(conf, PostgresLogSourceOptions.SLOT_NAME);
        if (!SLOT_NAME.matcher(slot).matches()) {
            throw new CdcSetupException(
                    "option '"
                            + PostgresLogSourceOptions.SLOT_NAME.key()
                            + "' must be 1-63 lower-case letters, digits or underscores"
                            + " (PostgreSQL's slot naming rule), got '"
                            + slot
                            + "'");
        }
        List<String> tables = NameLists.get(conf, PostgresLogSourceOptions.TABLE_LIST);
        if (tables == null || tables.isEmpty()) {
            throw new CdcSetupException(
                    "option '"
                            + PostgresLogSourceOptions.TABLE_LIST.key()
                            + "' must name at least one table as schema.table");
        }
        for (String table : tables) {
            if (table.indexOf('.') <= 0) {
                throw new CdcSetupException(
                        "option '"
                                + PostgresLogSourceOptions.TABLE_LIST.key()
                                + "': '"
                                + table
                                + "' must be schema.table");
            }
        }
        List<String> schemas = NameLists.get(conf, PostgresLogSourceOptions.SCHEMA_LIST);
        if (schemas == null || schemas.isEmpty()) {
            Set<String> fromTables = new LinkedHashSet<>();
            for (String table : tables) {
                fromTables.add(table.substring(0, table.indexOf('.')));
            }
            schemas = new ArrayList<>(fromTables);
        }
        int splitSize = conf.get(PostgresLogSourceOptions.SPLIT_SIZE);
        if (splitSize < 1) {
            throw new CdcSetupException(
                    "option '"
                            + PostgresLogSourceOptions.SPLIT_SIZE.key()
                            + "' must be >= 1, got "
                            + splitSize);
        }
        StartupMode startupMode = startupMode(conf);
        String publication =
                conf.getOptional(PostgresLogSourceOptions.PUBLICATION_NAME).orElse(slot + "_pub");
        return new PostgresLogSourceConfig(
                required(conf, PostgresLogSourceOptions.HOSTNAME),
                conf.get(PostgresLogSourceOptions.PORT),
                required(conf, PostgresLogSourceOptions.DATABASE),
                required(conf, PostgresLogSourceOptions.USERNAME),
                conf.get(PostgresLogSourceOptions.PASSWORD),
                List.copyOf(schemas),
                List.copyOf(tables),
                slot,
                publication,
                startupMode,
                splitSize,
                conf.get(PostgresLogSourceOptions.HEARTBEAT_INTERVAL),
                conf.get(PostgresLogSourceOptions.REPLICA_IDENTITY),
                conf.get(PostgresLogSourceOptions.PREFLIGHT),
                debeziumProperties(conf, publication));
    }

    private static StartupMode startupMode(Configuration conf) {
        String raw = conf.toMap().get(PostgresLogSourceOptions.STARTUP_MODE.key());
        if ((raw != null && raw.trim().equalsIgnoreCase("timestamp"))
                || conf.getOptional(PostgresLogSourceOptions.STARTUP_TIMESTAMP_MILLIS)
                        .isPresent()) {
            throw new CdcSetupException(TIMESTAMP_STARTUP_UNSUPPORTED);
        }
        try {
            return conf.get(PostgresLogSourceOptions.STARTUP_MODE);
        } catch (IllegalArgumentException e) {
            throw new CdcSetupException(
                    "option '"
                            + PostgresLogSourceOptions.STARTUP_MODE.key()
                            + "' must be one of initial, latest, snapshot_only; got '"
                            + raw
                            + "'",
                    e);
        }
    }

    /** The JDBC URL of the database. */
    public String jdbcUrl() {
        return "jdbc:postgresql://" + hostname + ":" + port + "/" + database;
    }

    private static Properties debeziumProperties(Configuration conf, String publication) {
        Map<String, String> defaults = new LinkedHashMap<>();
        defaults.put("decimal.handling.mode", "precise");
        defaults.put("binary.handling.mode", "bytes");
        defaults.put("hstore.handling.mode", "json");
        // after locating its resume position Debezium reconnects, and the previous replication
        // connection may still hold the slot for a moment; Debezium's default waits 10 s before
        // retrying (6 times): retry every second for as long instead
        defaults.put("slot.retry.delay.ms", "1000");
        defaults.put("slot.max.retries", "60");
        Properties props = DebeziumProperties.resolve(conf, defaults, FORCED);
        // hstore columns carry their type in the schema, so they are told from json columns
        String propagated = props.getProperty("datatype.propagate.source.type");
        props.setProperty(
                "datatype.propagate.source.type",
                (propagated == null || propagated.isBlank() ? "" : propagated + ",") + HSTORE_TYPE);
        props.setProperty("publication.name", publication);
        // the preflight creates the publication for exactly the captured tables (without the
        // preflight it must exist: Debezium then fails at start naming it). Debezium's 'filtered'
        // mode is unsafe in Flink CDC 3.5.0: each snapshot chunk's backfill reader sets the
        // publication to its one table, so changes of the other tables are lost (FLINK-38907)
        String autocreate = props.getProperty("publication.autocreate.mode", "disabled");
        if (!autocreate.equalsIgnoreCase("disabled")
                && !autocreate.equalsIgnoreCase("all_tables")) {
            throw new CdcSetupException(
                    "Debezium property '"
                            + PostgresLogSourceOptions.DEBEZIUM_PREFIX
                            + "publication.autocreate.mode' must be disabled (the default) or"
                            + " all_tables, got '"
                            + autocreate
                            + "': with filtered, Flink CDC 3.5.0's snapshot backfill readers"
                            + " narrow the publication to one table each and changes of the other"
                            + " captured tables are lost (FLINK-38907). The preflight creates the"
                            + " publication for the captured tables");
        }
        props.setProperty("publication.autocreate.mode", autocreate.toLowerCase(Locale.ROOT));
        return props;
    }

    private static String required(Configuration conf, ConfigOption<String> option) {
        String value = conf.get(option);
        if (value == null || value.isBlank()) {
            throw new CdcSetupException("option '" + option.key() + "' is required");
        }
        return value;
    }
}
