package dev.changeflow.cdc.config;

import dev.changeflow.cdc.log.CdcSetupException;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ReadableConfig;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads list options of names (tables, schemas, databases) the way users write them: Flink's list
 * separator {@code ;} and commas both separate entries ({@code --table-list
 * public.orders,public.customers}); blanks around entries are dropped.
 */
public final class NameLists {

    private NameLists() {}

    /** The option's entries, or {@code null} if it is not set. */
    public static List<String> get(ReadableConfig conf, ConfigOption<List<String>> option) {
        List<String> raw = conf.get(option);
        if (raw == null) {
            return null;
        }
        List<String> names = new ArrayList<>();
        for (String entry : raw) {
            for (String name : entry.split(",")) {
                if (!name.isBlank()) {
                    names.add(name.trim());
                }
            }
        }
        return names;
    }

    /**
     * The one database of MariaDB/MySQL tables written {@code db.table}: what {@code database-name}
     * defaults to there when it is not given (the binlog source needs no database either).
     *
     * @param tablesOption the option the tables came from, named in the error
     * @throws CdcSetupException when a table has no database or the tables span several
     */
    public static String databaseOf(List<String> tables, String tablesOption) {
        List<String> databases = new ArrayList<>();
        for (String table : tables) {
            int dot = table.indexOf('.');
            String database = dot > 0 ? table.substring(0, dot) : "";
            if (!databases.contains(database)) {
                databases.add(database);
            }
        }
        if (databases.size() != 1 || databases.get(0).isEmpty()) {
            throw new CdcSetupException(
                    "option '"
                            + tablesOption
                            + "' must name tables of one database as db.table (got "
                            + tables
                            + "), or set 'database-name'");
        }
        return databases.get(0);
    }
}
