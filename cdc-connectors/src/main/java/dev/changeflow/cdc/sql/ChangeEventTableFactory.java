package dev.changeflow.cdc.sql;

import dev.changeflow.schemas.ChangeEvent;

import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.table.connector.source.DynamicTableSource;
import org.apache.flink.table.factories.DynamicTableSourceFactory;
import org.apache.flink.table.factories.FactoryUtil;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * The shared part of Changeflow's SQL connectors ({@code 'connector' = 'trigger-cdc'}, {@code
 * 'query-cdc'}): the table's options are exactly the source builder's {@code ConfigOption}s (the
 * same keys as {@code flink run} / {@code changeflow ingest}), checked by Flink's {@link
 * FactoryUtil} (an unknown or missing key fails with the list of valid ones), and the table is a
 * changelog of its declared physical columns ({@link ChangeEventTableSource}).
 */
public abstract class ChangeEventTableFactory implements DynamicTableSourceFactory {

    private final String identifier;
    private final List<ConfigOption<?>> options;
    private final Function<Configuration, Source<ChangeEvent, ?, ?>> source;
    private final ChangelogMode changelogMode;

    /**
     * @param identifier the {@code 'connector'} value
     * @param options every option of the source (its {@code all()})
     * @param source builds the source from the table's options (with the preflight)
     * @param changelogMode what the source's changelog holds, see {@link ChangeEventTableSource}
     */
    protected ChangeEventTableFactory(
            String identifier,
            List<ConfigOption<?>> options,
            Function<Configuration, Source<ChangeEvent, ?, ?>> source,
            ChangelogMode changelogMode) {
        this.identifier = identifier;
        this.options = options;
        this.source = source;
        this.changelogMode = changelogMode;
    }

    @Override
    public String factoryIdentifier() {
        return identifier;
    }

    @Override
    public Set<ConfigOption<?>> requiredOptions() {
        Set<ConfigOption<?>> required = new HashSet<>();
        for (ConfigOption<?> option : options) {
            if (!option.hasDefaultValue() && isRequired(option.key())) {
                required.add(option);
            }
        }
        return required;
    }

    @Override
    public Set<ConfigOption<?>> optionalOptions() {
        Set<ConfigOption<?>> optional = new HashSet<>(options);
        optional.removeAll(requiredOptions());
        return optional;
    }

    /** Connection and table keys every table must give; the source checks the rest. */
    private static boolean isRequired(String key) {
        return key.equals("hostname") || key.equals("table-list");
    }

    @Override
    public DynamicTableSource createDynamicTableSource(Context context) {
        FactoryUtil.TableFactoryHelper helper = FactoryUtil.createTableFactoryHelper(this, context);
        helper.validate();
        Configuration conf = Configuration.fromMap(context.getCatalogTable().getOptions());
        conf.removeConfig(FactoryUtil.CONNECTOR);
        return new ChangeEventTableSource(
                identifier,
                () -> source.apply(conf),
                context.getPhysicalRowDataType(),
                changelogMode);
    }
}
