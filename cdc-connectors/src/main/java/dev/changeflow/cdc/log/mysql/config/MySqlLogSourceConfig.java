package dev.changeflow.cdc.log.mysql.config;

import dev.changeflow.cdc.config.DebeziumProperties;
import dev.changeflow.cdc.config.NameLists;
import dev.changeflow.cdc.log.CdcSetupException;
import dev.changeflow.cdc.log.mysql.MySqlColumnConverter;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;

import javax.annotation.Nullable;

import java.io.Serializable;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * The resolved, validated options of a MariaDB/MySQL log source: {@link #from(Configuration)}
 * applies the defaults of {@link MySqlLogSourceOptions} and fails with a message naming the option
 * that is missing or wrong.
 *
 * @param serverIds the binlog client ids, or {@code null} for Flink CDC's random one per reader
 * @param startupTimestampMillis the start of {@link StartupMode#TIMESTAMP}, else {@code null}
 * @param debeziumProperties the pass-through Debezium properties, including the ones Changeflow
 *     sets (see {@link #from(Configuration)})
 */
public record MySqlLogSourceConfig(
        String hostname,
        int port,
        String username,
        String password,
        List<String> databaseList,
        List<String> tableList,
        @Nullable ServerIdRange serverIds,
        String serverTimeZone,
        StartupMode startupMode,
        @Nullable Long startupTimestampMillis,
        int splitSize,
        Duration heartbeatInterval,
        Duration connectTimeout,
        boolean preflight,
        Properties debeziumProperties)
        implements Serializable {

    /** Name under which Changeflow registers {@link MySqlColumnConverter} with Debezium. */
    public static final String CONVERTER_NAME = "changeflow";

    /**
     * Debezium properties Changeflow sets, with the values a user may choose instead: decimals as
     * exact {@code BigDecimal}s (never base64 bytes), BIGINT UNSIGNED as exact numbers (Debezium's
     * default {@code long} wraps values above 2^63-1), bytes as bytes, and times with microseconds
     * as Debezium's {@code Micro*} logical types.
     */
    private static final Map<String, String> FORCED = new LinkedHashMap<>();

    static {
        FORCED.put("decimal.handling.mode", "precise|string");
        FORCED.put("bigint.unsigned.handling.mode", "precise");
        FORCED.put("binary.handling.mode", "bytes");
        FORCED.put("time.precision.mode", "adaptive_time_microseconds");
    }

    /**
     * Resolves and validates the options.
     *
     * @throws CdcSetupException naming the option that is missing or invalid
     */
    public static MySqlLogSourceConfig from(Configuration conf) {
        List<String> tables = NameLists.get(conf, MySqlLogSourceOptions.TABLE_LIST);
        if (tables == null || tables.isEmpty()) {
            throw new CdcSetupException(
                    "option '"
                            + MySqlLogSourceOptions.TABLE_LIST.key()
                            + "' must name at least one table as database.table");
        }
        for (String table : tables) {
            if (table.indexOf('.') <= 0 || table.endsWith(".")) {
                throw new CdcSetupException(
                        "option '"
                                + MySqlLogSourceOptions.TABLE_LIST.key()
                                + "': '"
                                + table
                                + "' must be database.table");
            }
        }
        List<String> databases = NameLists.get(conf, MySqlLogSourceOptions.DATABASE_LIST);
        if (databases == null || databases.isEmpty()) {
            Set<String> fromTables = new LinkedHashSet<>();
            for (String table : tables) {
                fromTables.add(table.substring(0, table.indexOf('.')));
            }
            databases = new ArrayList<>(fromTables);
        }
        int splitSize = conf.get(MySqlLogSourceOptions.SPLIT_SIZE);
        if (splitSize < 1) {
            throw new CdcSetupException(
                    "option '"
                            + MySqlLogSourceOptions.SPLIT_SIZE.key()
                            + "' must be >= 1, got "
                            + splitSize);
        }
        String zone = conf.get(MySqlLogSourceOptions.SERVER_TIME_ZONE);
        try {
            ZoneId.of(zone);
        } catch (DateTimeException e) {
            throw new CdcSetupException(
                    "option '"
                            + MySqlLogSourceOptions.SERVER_TIME_ZONE.key()
                            + "' must be a time zone id such as UTC or Europe/Berlin, got '"
                            + zone
                            + "'",
                    e);
        }
        StartupMode startupMode = conf.get(MySqlLogSourceOptions.STARTUP_MODE);
        Long startupTimestamp =
                conf.getOptional(MySqlLogSourceOptions.STARTUP_TIMESTAMP_MILLIS).orElse(null);
        if (startupMode == StartupMode.TIMESTAMP && startupTimestamp == null) {
            throw new CdcSetupException(
                    "option '"
                            + MySqlLogSourceOptions.STARTUP_MODE.key()
                            + "' = timestamp needs option '"
                            + MySqlLogSourceOptions.STARTUP_TIMESTAMP_MILLIS.key()
                            + "'");
        }
        if (startupMode != StartupMode.TIMESTAMP && startupTimestamp != null) {
            throw new CdcSetupException(
                    "option '"
                            + MySqlLogSourceOptions.STARTUP_TIMESTAMP_MILLIS.key()
                            + "' is only used with '"
                            + MySqlLogSourceOptions.STARTUP_MODE.key()
                            + "' = timestamp, which is not set");
        }
        return new MySqlLogSourceConfig(
                required(conf, MySqlLogSourceOptions.HOSTNAME),
                conf.get(MySqlLogSourceOptions.PORT),
                required(conf, MySqlLogSourceOptions.USERNAME),
                conf.get(MySqlLogSourceOptions.PASSWORD),
                List.copyOf(databases),
                List.copyOf(tables),
                conf.getOptional(MySqlLogSourceOptions.SERVER_ID)
                        .map(ServerIdRange::parse)
                        .orElse(null),
                zone,
                startupMode,
                startupTimestamp,
                splitSize,
                conf.get(MySqlLogSourceOptions.HEARTBEAT_INTERVAL),
                conf.get(MySqlLogSourceOptions.CONNECT_TIMEOUT),
                conf.get(MySqlLogSourceOptions.PREFLIGHT),
                debeziumProperties(conf));
    }

    /**
     * The JDBC URL of the server (MySQL Connector/J, as Flink CDC uses, which also speaks to
     * MariaDB).
     */
    public String jdbcUrl() {
        return "jdbc:mysql://"
                + hostname
                + ":"
                + port
                + "/?useSSL=false&connectTimeout="
                + connectTimeout.toMillis();
    }

    private static Properties debeziumProperties(Configuration conf) {
        Map<String, String> defaults = new LinkedHashMap<>();
        defaults.put("decimal.handling.mode", "precise");
        defaults.put("bigint.unsigned.handling.mode", "precise");
        defaults.put("binary.handling.mode", "bytes");
        defaults.put("time.precision.mode", "adaptive_time_microseconds");
        Properties props = DebeziumProperties.resolve(conf, defaults, FORCED);
        // TINYINT(1) as BOOLEAN, FLOAT as FLOAT32, BIT(n) bytes in JDBC's order (TYPES.md)
        String converters = props.getProperty("converters", "").trim();
        props.setProperty(
                "converters",
                converters.isEmpty() ? CONVERTER_NAME : CONVERTER_NAME + "," + converters);
        props.setProperty(CONVERTER_NAME + ".type", MySqlColumnConverter.class.getName());
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
