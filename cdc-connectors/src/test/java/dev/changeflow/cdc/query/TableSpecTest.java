package dev.changeflow.cdc.query;

import dev.changeflow.cdc.log.CdcSetupException;
import dev.changeflow.cdc.query.config.QuerySourceConfig;
import dev.changeflow.cdc.query.config.QuerySourceOptions;
import dev.changeflow.cdc.query.config.TableMode;
import dev.changeflow.cdc.query.config.TableSpec;

import org.apache.flink.configuration.Configuration;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TableSpecTest {

    @Test
    void parsesEveryModeInOrder() {
        Map<String, TableSpec> specs =
                TableSpec.parseAll(
                        "public.orders:incrementing=id; public.customers:timestamp=updated_at,id\n"
                                + "shop.items:timestamp=changed ;"
                                + " public.x:timestamp+incrementing=ts, seq");
        assertThat(specs.values())
                .containsExactly(
                        new TableSpec("public.orders", TableMode.INCREMENTING, "id", null),
                        new TableSpec("public.customers", TableMode.TIMESTAMP, "updated_at", "id"),
                        new TableSpec("shop.items", TableMode.TIMESTAMP, "changed", null),
                        new TableSpec("public.x", TableMode.TIMESTAMP, "ts", "seq"));
    }

    @Test
    void rejectsMalformedEntriesNamingTheForm() {
        assertThatThrownBy(() -> TableSpec.parse("orders:incrementing=id"))
                .hasMessageContaining("must be qualified");
        assertThatThrownBy(() -> TableSpec.parse("public.orders:bulk=id"))
                .hasMessageContaining("unknown mode 'bulk'")
                .hasMessageContaining("<schema.table>:timestamp=<column>");
        assertThatThrownBy(() -> TableSpec.parse("public.orders:incrementing=id,x"))
                .hasMessageContaining("exactly one column");
        assertThatThrownBy(() -> TableSpec.parse("public.orders"))
                .hasMessageContaining("missing ':' or '='");
        assertThatThrownBy(() -> TableSpec.parseAll("a.b:incrementing=id;a.b:timestamp=t"))
                .hasMessageContaining("names a.b twice");
    }

    @Test
    void tableListPicksSpecsAndMissingModesFailFast() {
        Configuration conf = new Configuration();
        conf.set(QuerySourceOptions.HOSTNAME, "localhost");
        conf.set(QuerySourceOptions.DATABASE, "shop");
        conf.set(QuerySourceOptions.USERNAME, "cdc");
        conf.set(QuerySourceOptions.TABLES, "public.a:incrementing=id;public.b:timestamp=t,id");
        assertThat(QuerySourceConfig.from(conf).tableList())
                .containsExactly("public.a", "public.b");
        assertThat(QuerySourceConfig.from(conf).port()).isEqualTo(5432);

        conf.set(QuerySourceOptions.TABLE_LIST, List.of("public.b"));
        assertThat(QuerySourceConfig.from(conf).tableList()).containsExactly("public.b");

        conf.set(QuerySourceOptions.TABLE_LIST, List.of("public.b", "public.c"));
        assertThatThrownBy(() -> QuerySourceConfig.from(conf))
                .isInstanceOf(CdcSetupException.class)
                .hasMessageContaining("[public.c]")
                .hasMessageContaining("public.c:incrementing=id");
    }
}
