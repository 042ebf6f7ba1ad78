package dev.changeflow.localstack.server;

import dev.changeflow.localstack.ManagedServer;
import dev.changeflow.localstack.process.Ports;
import dev.changeflow.localstack.process.Processes;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/**
 * A real Redis 6.2 server (the linux-amd64 binary shipped in the {@code embedded-redis} Maven
 * artifact), bound to 127.0.0.1, without persistence.
 */
public final class RedisServer implements ManagedServer {

    private final int fixedPort;
    private final String externalUri;
    private redis.embedded.RedisServer server;
    private Process watcher;
    private int port;

    public RedisServer() {
        this(0);
    }

    public RedisServer(int port) {
        this.fixedPort = port;
        this.externalUri = null;
    }

    private RedisServer(String uri) {
        this.fixedPort = 0;
        this.externalUri = uri;
    }

    /** An existing server, e.g. {@code redis://127.0.0.1:6379}. */
    public static RedisServer external(String uri) {
        return new RedisServer(uri);
    }

    @Override
    public String name() {
        return "redis";
    }

    @Override
    public boolean external() {
        return externalUri != null;
    }

    @Override
    public void start() throws Exception {
        if (!external()) {
            port = fixedPort > 0 ? fixedPort : Ports.free();
            server =
                    redis.embedded.RedisServer.newRedisServer()
                            .port(port)
                            .bind("127.0.0.1")
                            .setting("save \"\"")
                            .setting("appendonly no")
                            .setting("maxmemory 256mb")
                            .build();
            startRetryingBusyText(server);
            ProcessHandle redis = Processes.descendant("redis-server", "" + port).orElse(null);
            watcher = redis == null ? null : Processes.stopWithThisJvm(redis);
        }
        Ports.await(
                "redis at " + uri(),
                Duration.ofSeconds(30),
                this::ping,
                "PONG"::equals,
                () -> true);
    }

    /**
     * Starts the embedded server. embedded-redis writes its binary and runs it at once; if another
     * thread of this JVM forks at that moment (the stack starts servers in parallel), the child
     * inherits the open file and the exec fails with ETXTBSY ("Text file busy"). That passes as
     * soon as the other child has exec'd, so a few tries suffice.
     */
    private static void startRetryingBusyText(redis.embedded.RedisServer server) throws Exception {
        for (int attempt = 1; ; attempt++) {
            try {
                server.start();
                return;
            } catch (java.io.IOException e) {
                boolean busy = false;
                for (Throwable cause = e; cause != null; cause = cause.getCause()) {
                    busy |= String.valueOf(cause.getMessage()).contains("Text file busy");
                }
                if (!busy || attempt == 5) {
                    throw e;
                }
                Thread.sleep(100L * attempt);
            }
        }
    }

    /** Sends a raw RESP PING, so readiness does not depend on a client library. */
    private String ping() {
        URI u = URI.create(uri());
        try (Socket socket = new Socket(u.getHost(), u.getPort())) {
            socket.setSoTimeout(2000);
            OutputStream out = socket.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] buf = new byte[64];
            int n = in.read(buf);
            return n > 0 ? new String(buf, 1, Math.max(0, n - 3), StandardCharsets.US_ASCII) : null;
        } catch (IOException e) {
            return null;
        }
    }

    public String uri() {
        return external() ? externalUri : "redis://127.0.0.1:" + port;
    }

    public String host() {
        return URI.create(uri()).getHost();
    }

    public int port() {
        return URI.create(uri()).getPort();
    }

    @Override
    public Map<String, String> endpoints() {
        return Map.of("uri", uri());
    }

    @Override
    public void close() {
        if (server != null) {
            try {
                server.stop();
            } catch (IOException e) {
                // already gone
            }
            server = null;
        }
        if (watcher != null) {
            watcher.destroy();
            watcher = null;
        }
    }
}
