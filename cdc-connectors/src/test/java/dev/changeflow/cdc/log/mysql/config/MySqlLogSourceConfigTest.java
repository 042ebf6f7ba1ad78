package dev.changeflow.cdc.log.mysql.config;

import dev.changeflow.cdc.log.CdcSetupException;
import dev.changeflow.cdc.log.mysql.MySqlColumnConverter;

import org.apache.flink.configuration.Configuration;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MySqlLogSourceConfigTest {

    @Test
    void defaultsAndDerivedDatabases() {
        MySqlLogSourceConfig config = MySqlLogSourceConfig.from(minimal());
        assertThat(config.port()).isEqualTo(3306);
        assertThat(config.databaseList()).containsExactly("shop", "crm");
        assertThat(config.serverIds()).isNull();
        assertThat(config.serverTimeZone()).isEqualTo("UTC");
        assertThat(config.startupMode()).isEqualTo(StartupMode.INITIAL);
        assertThat(config.preflight()).isTrue();
        assertThat(config.jdbcUrl()).startsWith("jdbc:mysql://db.example:3306/?useSSL=false");
    }

    @Test
    void debeziumPropertiesPassThroughAndChangeflowsEncodingIsKept() {
        Configuration conf = minimal();
        conf.setString("debezium.snapshot.fetch.size", "100");
        conf.setString("debezium.decimal.handling.mode", "string");
        conf.setString("debezium.converters", "mine");
        var props = MySqlLogSourceConfig.from(conf).debeziumProperties();
        assertThat(props.getProperty("snapshot.fetch.size")).isEqualTo("100");
        assertThat(props.getProperty("decimal.handling.mode")).isEqualTo("string");
        assertThat(props.getProperty("bigint.unsigned.handling.mode")).isEqualTo("precise");
        assertThat(props.getProperty("binary.handling.mode")).isEqualTo("bytes");
        assertThat(props.getProperty("converters")).isEqualTo("changeflow,mine");
        assertThat(props.getProperty("changeflow.type"))
                .isEqualTo(MySqlColumnConverter.class.getName());

        conf.setString("debezium.decimal.handling.mode", "double");
        assertThatThrownBy(() -> MySqlLogSourceConfig.from(conf))
                .isInstanceOf(CdcSetupException.class)
                .hasMessage(
                        "Debezium property 'debezium.decimal.handling.mode' must be precise or"
                                + " string for the change-event encoding, got 'double'");
        conf.setString("debezium.decimal.handling.mode", "precise");
        conf.setString("debezium.bigint.unsigned.handling.mode", "long");
        assertThatThrownBy(() -> MySqlLogSourceConfig.from(conf))
                .isInstanceOf(CdcSetupException.class)
                .hasMessageContaining("'debezium.bigint.unsigned.handling.mode' must be precise");
    }

    @Test
    void serverIdsAreAnIdOrARangeWithOneIdPerReader() {
        assertThat(ServerIdRange.parse("5400")).isEqualTo(new ServerIdRange(5400, 5400));
        assertThat(ServerIdRange.parse(" 5400 - 5403 ").size()).isEqualTo(4);
        assertThat(ServerIdRange.parse("5400-5403")).hasToString("5400-5403");
        ServerIdRange.parse("5400-5403").checkParallelism(4);
        assertThatThrownBy(() -> ServerIdRange.parse("5400-5403").checkParallelism(6))
                .isInstanceOf(CdcSetupException.class)
                .hasMessage(
                        "option 'server-id' = '5400-5403' holds 4 server id(s) but the source"
                                + " runs with parallelism 6: each parallel reader connects to the"
                                + " binlog with an id of its own. Give a range of at least 6 ids"
                                + " (e.g. '5400-5405') or lower the source's parallelism");
        assertThatThrownBy(() -> ServerIdRange.parse("54x0"))
                .isInstanceOf(CdcSetupException.class)
                .hasMessageContaining("option 'server-id' must be an id such as 5400");
        assertThatThrownBy(() -> ServerIdRange.parse("5403-5400"))
                .isInstanceOf(CdcSetupException.class)
                .hasMessageContaining("got 5403-5400");
        assertThatThrownBy(() -> ServerIdRange.parse("0")).isInstanceOf(CdcSetupException.class);
        Configuration conf = minimal();
        conf.set(MySqlLogSourceOptions.SERVER_ID, "6000-6001");
        assertThat(MySqlLogSourceConfig.from(conf).serverIds())
                .isEqualTo(new ServerIdRange(6000, 6001));
    }

    @Test
    void missingOrInvalidOptionsAreNamed() {
        Configuration noTables = minimal();
        noTables.removeConfig(MySqlLogSourceOptions.TABLE_LIST);
        assertThatThrownBy(() -> MySqlLogSourceConfig.from(noTables))
                .hasMessage("option 'table-list' must name at least one table as database.table");

        Configuration unqualified = minimal();
        unqualified.set(MySqlLogSourceOptions.TABLE_LIST, List.of("orders"));
        assertThatThrownBy(() -> MySqlLogSourceConfig.from(unqualified))
                .hasMessage("option 'table-list': 'orders' must be database.table");

        Configuration noHost = minimal();
        noHost.removeConfig(MySqlLogSourceOptions.HOSTNAME);
        assertThatThrownBy(() -> MySqlLogSourceConfig.from(noHost))
                .hasMessage("option 'hostname' is required");

        Configuration zone = minimal();
        zone.set(MySqlLogSourceOptions.SERVER_TIME_ZONE, "Mars/Olympus");
        assertThatThrownBy(() -> MySqlLogSourceConfig.from(zone))
                .hasMessageContaining("option 'server-time-zone' must be a time zone id");

        Configuration timestamp = minimal();
        timestamp.set(MySqlLogSourceOptions.STARTUP_MODE, StartupMode.TIMESTAMP);
        assertThatThrownBy(() -> MySqlLogSourceConfig.from(timestamp))
                .hasMessage(
                        "option 'scan.startup.mode' = timestamp needs option"
                                + " 'scan.startup.timestamp-millis'");
        timestamp.set(MySqlLogSourceOptions.STARTUP_TIMESTAMP_MILLIS, 1_700_000_000_000L);
        assertThat(MySqlLogSourceConfig.from(timestamp).startupTimestampMillis())
                .isEqualTo(1_700_000_000_000L);
    }

    private static Configuration minimal() {
        Configuration conf = new Configuration();
        conf.set(MySqlLogSourceOptions.HOSTNAME, "db.example");
        conf.set(MySqlLogSourceOptions.USERNAME, "cdc");
        conf.set(MySqlLogSourceOptions.TABLE_LIST, List.of("shop.orders", "crm.customers"));
        return conf;
    }
}
