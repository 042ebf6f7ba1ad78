package dev.changeflow.jobs.sinks;

import org.apache.flink.api.connector.sink2.SinkWriter;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A Redis sink writer's connection: commands pipelined on one connection per subtask (which keeps
 * them in order), awaited once {@code maxPending} are in flight and at every checkpoint ({@link
 * #flush}), so a checkpoint completes only when Redis has answered everything before it.
 *
 * @param <T> the elements written
 * @param <R> what Redis answers to each command
 */
abstract class PipelinedRedisWriter<T, R> implements SinkWriter<T> {

    private final String redisUri;
    private final Duration timeout;
    private final int maxPending;
    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    private final List<RedisFuture<R>> pending = new ArrayList<>();

    /** Where the commands go; each one's future is handed to {@link #send}. */
    protected final RedisAsyncCommands<String, String> commands;

    PipelinedRedisWriter(String redisUri, Duration timeout, int maxPending) {
        this.redisUri = redisUri;
        this.timeout = timeout;
        this.maxPending = maxPending;
        client = RedisClient.create(redisUri);
        client.setDefaultTimeout(timeout);
        connection = client.connect();
        connection.setAutoFlushCommands(false);
        commands = connection.async();
    }

    /** Takes a command's answer into account (metrics), in the order the commands were sent. */
    protected abstract void answered(R answer);

    /** What the commands do, for an error: "apply a view write". */
    protected abstract String purpose();

    /** Keeps {@code command}'s future until the next await. */
    protected final void send(RedisFuture<R> command) throws IOException {
        pending.add(command);
        if (pending.size() >= maxPending) {
            awaitPending();
        }
    }

    @Override
    public void flush(boolean endOfInput) throws IOException {
        awaitPending();
    }

    private void awaitPending() throws IOException {
        connection.flushCommands();
        try {
            for (RedisFuture<R> future : pending) {
                answered(future.get(timeout.toMillis(), TimeUnit.MILLISECONDS));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while writing to Redis", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("Redis at " + redisUri + " did not " + purpose(), e);
        } finally {
            pending.clear();
        }
    }

    @Override
    public void close() {
        connection.close();
        client.shutdown();
    }
}
