package dev.changeflow.cdc.config;

import dev.changeflow.cdc.log.CdcSetupException;
import dev.changeflow.cdc.query.config.QuerySourceConfig;
import dev.changeflow.cdc.trigger.TriggerSourceConfig;

import org.apache.flink.configuration.Configuration;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * On MariaDB/MySQL the trigger and query sources take {@code database-name} from their {@code
 * db.table} names when it is not given, as the binlog source does, so a {@code 'trigger-cdc'} or
 * {@code 'query-cdc'} table needs it no more than {@code changeflow ingest} does.
 */
class MariaDbDatabaseDefaultTest {

    @Test
    void theTriggerSourceTakesTheDatabaseOfItsTables() {
        Configuration conf =
                Configuration.fromMap(
                        Map.of(
                                "trigger.dialect", "mysql",
                                "hostname", "db",
                                "username", "cdc",
                                "table-list", "shop.orders,shop.customers"));

        assertThat(TriggerSourceConfig.from(conf).database()).isEqualTo("shop");

        conf.setString("table-list", "shop.orders,crm.customers");
        assertThatThrownBy(() -> TriggerSourceConfig.from(conf))
                .isInstanceOf(CdcSetupException.class)
                .hasMessageContaining("'table-list' must name tables of one database")
                .hasMessageContaining("or set 'database-name'");

        conf.setString("database-name", "shop");
        assertThatThrownBy(() -> TriggerSourceConfig.from(conf))
                .hasMessageContaining("'crm.customers' is not in database 'shop'");
    }

    @Test
    void theQuerySourceTakesTheDatabaseOfItsTables() {
        Configuration conf =
                Configuration.fromMap(
                        Map.of(
                                "query.dialect", "mariadb",
                                "hostname", "db",
                                "username", "cdc",
                                "query.tables", "shop.orders:incrementing=id"));

        assertThat(QuerySourceConfig.from(conf).database()).isEqualTo("shop");

        conf.setString("query.tables", "shop.orders:incrementing=id;crm.customers:incrementing=id");
        assertThatThrownBy(() -> QuerySourceConfig.from(conf))
                .isInstanceOf(CdcSetupException.class)
                .hasMessageContaining("'query.tables' must name tables of one database");

        conf.setString("database-name", "shop");
        assertThat(QuerySourceConfig.from(conf).database()).isEqualTo("shop");
    }

    @Test
    void postgresStillNeedsTheDatabase() {
        Configuration conf =
                Configuration.fromMap(
                        Map.of(
                                "trigger.dialect", "postgres",
                                "hostname", "db",
                                "username", "cdc",
                                "table-list", "public.orders"));

        assertThatThrownBy(() -> TriggerSourceConfig.from(conf))
                .hasMessageContaining("option 'database-name' is required");
    }
}
