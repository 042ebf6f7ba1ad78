package dev.changeflow.localstack;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A stack with Flink and S3 (what {@code changeflow stack up} starts) lays the cluster out as a
 * distribution with the {@code s3-fs-hadoop} plugin enabled would be: the plugin in {@code
 * plugins/}, never on the classpath, configured for the stack's S3 (so {@code s3://} checkpoints
 * and sinks work there; {@code ClusterCommandsIT} writes Parquet through it).
 */
class StackFlinkS3IT {

    @Test
    void flinkStartsAfterS3WithThePluginPointedAtIt(@TempDir Path dir) throws Exception {
        try (LocalStack stack = LocalStack.builder().baseDir(dir).build()) {
            stack.ensure(List.of(Service.FLINK, Service.S3));

            Path home = dir.resolve("flink");
            String config = Files.readString(home.resolve("conf/config.yaml"));
            assertThat(config)
                    .contains("s3.endpoint: " + stack.s3().endpoint())
                    .contains("s3.path.style.access: true")
                    .contains("s3.access-key: " + stack.s3().accessKey());
            try (var plugin = Files.list(home.resolve("plugins/s3-fs-hadoop"))) {
                assertThat(plugin.map(p -> p.getFileName().toString()).toList())
                        .singleElement()
                        .asString()
                        .startsWith("flink-s3-fs-hadoop-");
            }
            assertThat(stack.flink().taskManagerPids()).hasSize(1);
        }
    }
}
