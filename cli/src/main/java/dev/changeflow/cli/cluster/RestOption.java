package dev.changeflow.cli.cluster;

import picocli.CommandLine.Option;

/** The {@code --rest} option every cluster command shares (a picocli mixin). */
final class RestOption {

    @Option(
            names = "--rest",
            defaultValue = ClusterSupport.DEFAULT_REST,
            paramLabel = "URL",
            description =
                    "The JobManager's REST URL (default: $CHANGEFLOW_FLINK_REST, else"
                            + " http://127.0.0.1:8081).")
    String url;
}
