package dev.changeflow.localstack;

import java.util.Map;

/**
 * One real server of the local stack: started by the project, or an existing one that the user
 * points Changeflow at. {@link #close()} stops what {@link #start()} started and nothing else.
 */
public interface ManagedServer extends AutoCloseable {

    /** Short name used in logs, directories and printed endpoints, e.g. {@code kafka}. */
    String name();

    /** Starts the server and returns once it answers its readiness check. */
    void start() throws Exception;

    /** True when this server was not started here but points at existing infrastructure. */
    boolean external();

    /** Endpoints a user or a job needs, in printing order, e.g. {@code bootstrap.servers}. */
    Map<String, String> endpoints();

    /** Stops the server. Never throws; idempotent. */
    @Override
    void close();
}
