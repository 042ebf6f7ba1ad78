package dev.changeflow.jobs;

import org.apache.flink.api.java.utils.ParameterTool;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ReadableConfig;

/** How every job reads its options. */
public final class JobOptions {

    private JobOptions() {}

    /** {@code --key value} arguments (of {@code flink run} or a command) as a configuration. */
    public static Configuration fromArgs(String[] args) {
        return Configuration.fromMap(ParameterTool.fromArgs(args).toMap());
    }

    /**
     * The option's value.
     *
     * @throws IllegalArgumentException naming the option if it is missing
     */
    public static <T> T required(ReadableConfig options, ConfigOption<T> option) {
        return options.getOptional(option)
                .orElseThrow(
                        () ->
                                new IllegalArgumentException(
                                        "option '" + option.key() + "' is required"));
    }
}
