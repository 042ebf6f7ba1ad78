package dev.changeflow.cli;

import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code ./changeflow stack up} as a user runs it: every server starts, the endpoints are printed,
 * and Ctrl-C (SIGINT) leaves no process and no listening port behind.
 */
class StackUpIT {

    private static final Pattern PORT = Pattern.compile("127\\.0\\.0\\.1:(\\d+)");

    @Test
    void startsEverythingPrintsEndpointsAndStopsCleanlyOnCtrlC() throws Exception {
        Path root = Path.of("..").toAbsolutePath().normalize();
        Path dir = Path.of("target", "stack-up-it").toAbsolutePath();
        ProcessBuilder builder =
                new ProcessBuilder(
                                root.resolve("changeflow").toString(),
                                "stack",
                                "up",
                                "--dir",
                                dir.toString())
                        .redirectErrorStream(true);
        builder.environment().put("CHANGEFLOW_NO_BUILD", "1");
        long t0 = System.nanoTime();
        Process process = builder.start();
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        Thread reader =
                new Thread(
                        () -> {
                            try (BufferedReader in =
                                    new BufferedReader(
                                            new InputStreamReader(
                                                    process.getInputStream(),
                                                    StandardCharsets.UTF_8))) {
                                String line;
                                while ((line = in.readLine()) != null) {
                                    lines.add(line);
                                }
                            } catch (java.io.IOException e) {
                                // process ended
                            }
                        });
        reader.start();
        try {
            await("stack up ready (output so far: " + lines + ")")
                    .atMost(Duration.ofMinutes(2))
                    .pollInterval(Duration.ofMillis(500))
                    .until(
                            () -> {
                                assertThat(process.isAlive())
                                        .as("stack up exited early: %s", lines)
                                        .isTrue();
                                return lines.stream()
                                        .anyMatch(l -> l.contains("Local stack ready"));
                            });
            System.out.printf("stack up ready after %.1f s%n", (System.nanoTime() - t0) / 1e9);
            String output = String.join("\n", lines);
            assertThat(output)
                    .contains("kafka", "bootstrap.servers")
                    .contains("postgres", "jdbc:postgresql://")
                    .contains("mariadb", "jdbc:mariadb://")
                    .contains("redis", "redis://")
                    .contains("elasticsearch")
                    .contains("s3")
                    .contains("flink");
            List<Integer> ports = new ArrayList<>();
            Matcher m = PORT.matcher(output);
            while (m.find()) {
                ports.add(Integer.parseInt(m.group(1)));
            }
            assertThat(ports).hasSizeGreaterThanOrEqualTo(6);
            assertThat(ports).allMatch(StackUpIT::listening);
            List<ProcessHandle> children = process.descendants().toList();
            assertThat(children).as("servers in processes of their own").isNotEmpty();

            // Ctrl-C
            new ProcessBuilder("kill", "-INT", Long.toString(process.pid())).start().waitFor();
            assertThat(process.waitFor(90, TimeUnit.SECONDS)).as("exits after Ctrl-C").isTrue();
            await("no process left behind")
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> children.stream().noneMatch(ProcessHandle::isAlive));
            await("no port left open")
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> ports.stream().noneMatch(StackUpIT::listening));
            assertThat(String.join("\n", lines)).contains("Stopped.");
        } finally {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            reader.join(5000);
            Files.writeString(dir.resolveSibling("stack-up-it.out"), String.join("\n", lines));
        }
    }

    private static boolean listening(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
