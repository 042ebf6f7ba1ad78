package dev.changeflow.cdc.sql;

import dev.changeflow.cdc.trigger.TriggerSource;
import dev.changeflow.cdc.trigger.TriggerSourceOptions;

import org.apache.flink.table.connector.ChangelogMode;

/**
 * {@code 'connector' = 'trigger-cdc'}: a table over {@link TriggerSource}, whose options are the
 * table's ({@link TriggerSourceOptions}; install the triggers first with {@code changeflow triggers
 * install}). The audit rows carry the full old row, so the table is a changelog with {@code -U} and
 * {@code -D} images ({@link ChangelogMode#all()}).
 */
public final class TriggerCdcTableFactory extends ChangeEventTableFactory {

    /** The {@code 'connector'} value. */
    public static final String IDENTIFIER = "trigger-cdc";

    public TriggerCdcTableFactory() {
        super(
                IDENTIFIER,
                TriggerSourceOptions.all(),
                TriggerSource::fromConfiguration,
                ChangelogMode.all());
    }
}
