package dev.changeflow.localstack;

import dev.changeflow.localstack.server.ElasticsearchServer;
import dev.changeflow.localstack.server.FlinkCluster;
import dev.changeflow.localstack.server.KafkaServer;
import dev.changeflow.localstack.server.MariaDbServer;
import dev.changeflow.localstack.server.PostgresServer;
import dev.changeflow.localstack.server.RedisServer;
import dev.changeflow.localstack.server.S3Server;

import java.util.Map;

/**
 * Environment variables that point a service of the stack at existing infrastructure instead of
 * starting it. Unset variables mean "start it here".
 *
 * <table>
 *   <caption>variables</caption>
 *   <tr><td>{@value #KAFKA_BOOTSTRAP}</td><td>bootstrap servers</td></tr>
 *   <tr><td>{@value #POSTGRES_URL}, {@value #POSTGRES_USER}, {@value #POSTGRES_PASSWORD}</td>
 *       <td>JDBC URL and credentials</td></tr>
 *   <tr><td>{@value #MARIADB_URL}, {@value #MARIADB_USER}, {@value #MARIADB_PASSWORD}</td>
 *       <td>JDBC URL and credentials</td></tr>
 *   <tr><td>{@value #REDIS_URI}</td><td>e.g. redis://127.0.0.1:6379</td></tr>
 *   <tr><td>{@value #ELASTICSEARCH_URL}</td><td>e.g. http://127.0.0.1:9200</td></tr>
 *   <tr><td>{@value #S3_ENDPOINT}, {@value #S3_ACCESS_KEY}, {@value #S3_SECRET_KEY},
 *       {@value #S3_REGION}</td><td>S3 endpoint and credentials</td></tr>
 *   <tr><td>{@value #FLINK_REST}</td><td>JobManager REST URL</td></tr>
 * </table>
 */
public final class StackEnvironment {

    public static final String KAFKA_BOOTSTRAP = "CHANGEFLOW_KAFKA_BOOTSTRAP";
    public static final String POSTGRES_URL = "CHANGEFLOW_POSTGRES_URL";
    public static final String POSTGRES_USER = "CHANGEFLOW_POSTGRES_USER";
    public static final String POSTGRES_PASSWORD = "CHANGEFLOW_POSTGRES_PASSWORD";
    public static final String MARIADB_URL = "CHANGEFLOW_MARIADB_URL";
    public static final String MARIADB_USER = "CHANGEFLOW_MARIADB_USER";
    public static final String MARIADB_PASSWORD = "CHANGEFLOW_MARIADB_PASSWORD";
    public static final String REDIS_URI = "CHANGEFLOW_REDIS_URI";
    public static final String ELASTICSEARCH_URL = "CHANGEFLOW_ELASTICSEARCH_URL";
    public static final String S3_ENDPOINT = "CHANGEFLOW_S3_ENDPOINT";
    public static final String S3_ACCESS_KEY = "CHANGEFLOW_S3_ACCESS_KEY";
    public static final String S3_SECRET_KEY = "CHANGEFLOW_S3_SECRET_KEY";
    public static final String S3_REGION = "CHANGEFLOW_S3_REGION";
    public static final String FLINK_REST = "CHANGEFLOW_FLINK_REST";

    private StackEnvironment() {}

    /** The external server configured for {@code service}, or null to start one here. */
    public static ManagedServer external(Service service, Map<String, String> env) {
        return switch (service) {
            case KAFKA ->
                    set(env, KAFKA_BOOTSTRAP)
                            ? KafkaServer.external(env.get(KAFKA_BOOTSTRAP))
                            : null;
            case POSTGRES ->
                    set(env, POSTGRES_URL)
                            ? PostgresServer.external(
                                    env.get(POSTGRES_URL),
                                    env.getOrDefault(POSTGRES_USER, "postgres"),
                                    env.getOrDefault(POSTGRES_PASSWORD, ""))
                            : null;
            case MARIADB ->
                    set(env, MARIADB_URL)
                            ? MariaDbServer.external(
                                    env.get(MARIADB_URL),
                                    env.getOrDefault(MARIADB_USER, "root"),
                                    env.getOrDefault(MARIADB_PASSWORD, ""))
                            : null;
            case REDIS -> set(env, REDIS_URI) ? RedisServer.external(env.get(REDIS_URI)) : null;
            case ELASTICSEARCH ->
                    set(env, ELASTICSEARCH_URL)
                            ? ElasticsearchServer.external(env.get(ELASTICSEARCH_URL))
                            : null;
            case S3 ->
                    set(env, S3_ENDPOINT)
                            ? S3Server.external(
                                    env.get(S3_ENDPOINT),
                                    env.getOrDefault(S3_ACCESS_KEY, ""),
                                    env.getOrDefault(S3_SECRET_KEY, ""),
                                    env.getOrDefault(S3_REGION, "us-east-1"))
                            : null;
            case FLINK -> set(env, FLINK_REST) ? FlinkCluster.external(env.get(FLINK_REST)) : null;
        };
    }

    private static boolean set(Map<String, String> env, String key) {
        String value = env.get(key);
        return value != null && !value.isBlank();
    }
}
