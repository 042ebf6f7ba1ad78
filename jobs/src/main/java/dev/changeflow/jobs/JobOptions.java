package dev.changeflow.jobs;

import org.apache.flink.api.java.utils.ParameterTool;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

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

    /** A job's {@code prepare}: adds the pipeline to the environment, returns the job's name. */
    @FunctionalInterface
    public interface Preparation {
        String prepare(Configuration options, StreamExecutionEnvironment env);
    }

    /** A job's {@code flink run} entry point: {@code --key value} arguments, then run it. */
    public static void run(String[] args, Preparation job) throws Exception {
        Configuration options = fromArgs(args);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.execute(job.prepare(options, env));
    }

    /**
     * Configures {@code env} with the Flink keys among {@code options}, checkpointing every 10 s
     * unless they or the cluster set an interval.
     */
    public static void configure(Configuration options, StreamExecutionEnvironment env) {
        env.configure(options);
        if (env.getCheckpointConfig().getCheckpointInterval() <= 0) {
            env.enableCheckpointing(10_000);
        }
    }
}
