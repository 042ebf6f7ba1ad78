package dev.changeflow.cdc.config;

import dev.changeflow.cdc.log.CdcSetupException;

import org.apache.flink.configuration.Configuration;

import java.util.Map;
import java.util.Properties;

/**
 * The Debezium properties of a log source: Changeflow's defaults, then the user's {@code
 * debezium.*} options, then a check that the properties the change-event encoding depends on still
 * have an allowed value.
 */
public final class DebeziumProperties {

    /** The prefix of Debezium pass-through options, as in Flink CDC's SQL connectors. */
    public static final String PREFIX = "debezium.";

    /**
     * Defaults of every log source. Debezium's 500 ms {@code poll.interval.ms} made up most of the
     * commit -> Kafka latency (bench/README.md): its reader sleeps that long when idle and its
     * queue waits that long to fill a batch.
     */
    private static final Map<String, String> COMMON_DEFAULTS = Map.of("poll.interval.ms", "50");

    private DebeziumProperties() {}

    /**
     * @param defaults the source's own defaults (over the common ones)
     * @param required property -> regular expression of its allowed values (e.g. {@code
     *     precise|string})
     * @throws CdcSetupException naming the option whose value the encoding cannot take
     */
    public static Properties resolve(
            Configuration conf, Map<String, String> defaults, Map<String, String> required) {
        Properties props = new Properties();
        props.putAll(COMMON_DEFAULTS);
        props.putAll(defaults);
        for (Map.Entry<String, String> entry : conf.toMap().entrySet()) {
            if (entry.getKey().startsWith(PREFIX)) {
                props.setProperty(entry.getKey().substring(PREFIX.length()), entry.getValue());
            }
        }
        for (Map.Entry<String, String> rule : required.entrySet()) {
            String value = props.getProperty(rule.getKey());
            if (value == null || !value.matches(rule.getValue())) {
                throw new CdcSetupException(
                        "Debezium property '"
                                + PREFIX
                                + rule.getKey()
                                + "' must be "
                                + rule.getValue().replace("|", " or ")
                                + " for the change-event encoding, got '"
                                + value
                                + "'");
            }
        }
        return props;
    }
}
