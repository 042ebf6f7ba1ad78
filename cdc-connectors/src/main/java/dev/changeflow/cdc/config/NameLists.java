package dev.changeflow.cdc.config;

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
}
