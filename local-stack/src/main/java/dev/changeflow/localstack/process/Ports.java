package dev.changeflow.localstack.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** Free ports and readiness checks shared by every server of the stack. */
public final class Ports {

    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private Ports() {}

    /** A port that was free on 127.0.0.1 a moment ago. */
    public static int free() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free local port", e);
        }
    }

    /** A free port {@code p} such that {@code p + 1 .. p + span} are free as well. */
    public static int freeRange(int span) {
        for (int attempt = 0; attempt < 50; attempt++) {
            int base = free();
            if (base + span > 65535) {
                continue;
            }
            boolean all = true;
            for (int p = base + 1; p <= base + span && all; p++) {
                all = isFree(p);
            }
            if (all) {
                return base;
            }
        }
        throw new IllegalStateException("no free range of " + (span + 1) + " local ports");
    }

    public static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    public static boolean isOpen(String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** GET {@code url} and return the body, or null when the server does not answer 2xx yet. */
    public static String httpGet(String url) {
        try {
            HttpResponse<String> response =
                    HTTP.send(
                            HttpRequest.newBuilder(URI.create(url))
                                    .timeout(Duration.ofSeconds(5))
                                    .GET()
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            return response.statusCode() / 100 == 2 ? response.body() : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /**
     * Polls {@code probe} until it returns a value that {@code ready} accepts. Fails with {@code
     * what} and the last value seen when {@code timeout} passes or {@code alive} turns false.
     */
    public static <T> T await(
            String what,
            Duration timeout,
            Supplier<T> probe,
            Predicate<T> ready,
            Supplier<Boolean> alive) {
        long deadline = System.nanoTime() + timeout.toNanos();
        T last = null;
        while (System.nanoTime() < deadline) {
            last = probe.get();
            if (last != null && ready.test(last)) {
                return last;
            }
            if (!alive.get()) {
                throw new IllegalStateException(what + ": the process exited before it was ready");
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(what + ": interrupted while waiting", e);
            }
        }
        throw new IllegalStateException(
                what
                        + ": not ready after "
                        + timeout.toSeconds()
                        + " s (last answer: "
                        + last
                        + ")");
    }
}
