package dev.changeflow.localstack;

import dev.changeflow.localstack.process.Ports;
import dev.changeflow.localstack.process.Processes;
import dev.changeflow.localstack.server.FlinkCluster;
import dev.changeflow.localstack.server.FlinkRestClient;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * A real standalone Flink session cluster (JobManager and TaskManager JVMs): slots over REST, a job
 * jar built here, uploaded and run over REST, its output checked, TaskManager failover and a clean
 * shutdown.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FlinkClusterIT {

    private static final int SLOTS = 2;

    private static Path baseDir;
    private static FlinkCluster flink;
    private static FlinkRestClient rest;

    @BeforeAll
    static void startCluster() throws Exception {
        baseDir = Path.of("target", "it", "flink-cluster").toAbsolutePath();
        Processes.deleteRecursively(baseDir);
        flink = new FlinkCluster(baseDir).taskSlots(SLOTS).superviseTaskManagers(true);
        long begin = System.nanoTime();
        flink.start();
        long millis = (System.nanoTime() - begin) / 1_000_000;
        System.out.printf(
                "Flink cluster started in %d ms: JobManager RSS %d MB, TaskManager RSS %d MB%n",
                millis,
                rssMegabytes(flink.jobManagerPid().orElseThrow()),
                rssMegabytes(flink.taskManagerPids().get(0)));
        assertThat(millis).as("cluster start time in ms").isLessThan(30_000);
        rest = new FlinkRestClient(flink.restUrl());
    }

    @AfterAll
    static void stopCluster() {
        if (flink != null) {
            flink.close();
        }
    }

    @Test
    @Order(1)
    void oneTaskManagerWithTheConfiguredSlots() throws Exception {
        JsonNode taskManagers = rest.get("/taskmanagers").path("taskmanagers");
        assertThat(taskManagers).hasSize(1);
        assertThat(taskManagers.get(0).path("id").asText()).isEqualTo("taskmanager-1");
        assertThat(taskManagers.get(0).path("slotsNumber").asInt()).isEqualTo(SLOTS);
        assertThat(taskManagers.get(0).path("freeSlots").asInt()).isEqualTo(SLOTS);

        JsonNode overview = rest.get("/overview");
        assertThat(overview.path("slots-total").asInt()).isEqualTo(SLOTS);
        assertThat(overview.path("flink-version").asText()).isEqualTo("1.20.1");

        // the configuration Flink actually loaded is ours (config.yaml, never flink-conf.yaml)
        assertThat(flink.confDir().resolve("config.yaml")).exists();
        assertThat(flink.confDir().resolve("flink-conf.yaml")).doesNotExist();
        List<String> loaded = new ArrayList<>();
        rest.get("/jobmanager/config")
                .forEach(e -> loaded.add(e.path("key").asText() + "=" + e.path("value").asText()));
        assertThat(loaded)
                .contains(
                        "rest.bind-address=127.0.0.1",
                        "taskmanager.numberOfTaskSlots=" + SLOTS,
                        "execution.checkpointing.savepoint-dir="
                                + flink.savepointDir().toUri().toString());

        assertThat(flink.restUrl()).isEqualTo("http://127.0.0.1:" + flink.restPort());
        assertThat(flink.endpoints()).containsEntry("rest.url", flink.restUrl());
        assertThat(flink.savepointDir()).isDirectory().startsWith(baseDir);
        assertThat(flink.checkpointDir()).isDirectory().startsWith(baseDir);
        assertThat(flink.logDir().resolve("jobmanager.log")).isNotEmptyFile();

        // each process serves its metrics for Prometheus
        assertThat(flink.metricsUrls()).containsOnlyKeys("jobmanager", "taskmanager-1");
        assertThat(Ports.httpGet(flink.metricsUrls().get("jobmanager")))
                .contains("flink_jobmanager_numRegisteredTaskManagers{host=\"127_0_0_1\",} 1.0");
        assertThat(Ports.httpGet(flink.metricsUrls().get("taskmanager-1")))
                .contains("flink_taskmanager_Status_JVM_Memory_Heap_Used");
        assertThat(flink.endpoints())
                .containsEntry("metrics.jobmanager", flink.metricsUrls().get("jobmanager"));
    }

    @Test
    @Order(2)
    void jobJarUploadedAndRunOverRestComputesOnTheTaskManager() throws Exception {
        Path work = baseDir.resolve("tiny-job");
        Path output = work.resolve("output");
        String jarId = rest.uploadJar(TinyJobJar.build(work));
        assertThat(jarId).endsWith("tiny-job.jar");

        String jobId = rest.runJar(jarId, TinyJobJar.MAIN_CLASS, List.of(output.toString()), SLOTS);
        assertThat(jobId).matches("[0-9a-f]{32}");
        JsonNode job =
                await("tiny-job " + jobId)
                        .atMost(Duration.ofSeconds(90))
                        .pollInterval(Duration.ofMillis(300))
                        .until(
                                () -> rest.get("/jobs/" + jobId),
                                j -> {
                                    String state = j.path("state").asText();
                                    assertThat(state).isNotIn("FAILED", "CANCELED");
                                    return state.equals("FINISHED");
                                });
        assertThat(job.path("name").asText()).isEqualTo("tiny-job");

        // the data: every number once, squared, by the TaskManager process (not the JobManager,
        // where the job's main ran, and not this JVM)
        long taskManagerPid = flink.taskManagerPids().get(0);
        List<String[]> rows = readRows(output);
        assertThat(rows).hasSize(TinyJobJar.COUNT);
        assertThat(rows.stream().map(r -> Long.parseLong(r[0])).collect(Collectors.toSet()))
                .isEqualTo(
                        LongStream.rangeClosed(1, TinyJobJar.COUNT)
                                .boxed()
                                .collect(Collectors.toSet()));
        assertThat(rows).allSatisfy(r -> assertThat(Long.parseLong(r[1])).isEqualTo(square(r[0])));
        assertThat(rows.stream().mapToLong(r -> Long.parseLong(r[1])).sum())
                .isEqualTo(333_833_500L);
        assertThat(rows.stream().map(r -> Long.parseLong(r[2])).collect(Collectors.toSet()))
                .containsExactly(taskManagerPid);

        // and what the JobManager recorded: the map (a vertex of its own; BATCH mode's adaptive
        // scheduler picks its parallelism) ran on taskmanager-1, read and wrote 1000 records
        JsonNode square = null;
        for (JsonNode vertex : job.path("vertices")) {
            assertThat(vertex.path("status").asText()).isEqualTo("FINISHED");
            if (vertex.path("name").asText().contains("square")) {
                square = vertex;
            }
        }
        assertThat(square).as("vertex with the map, in %s", job).isNotNull();
        assertThat(square.path("name").asText()).isEqualTo("square");
        assertThat(square.path("metrics").path("read-records").asLong())
                .isEqualTo(TinyJobJar.COUNT);
        assertThat(square.path("metrics").path("write-records").asLong())
                .isEqualTo(TinyJobJar.COUNT);
        JsonNode placement =
                rest.get(
                        "/jobs/"
                                + jobId
                                + "/vertices/"
                                + square.path("id").asText()
                                + "/taskmanagers");
        Set<String> hosts = new TreeSet<>();
        placement.path("taskmanagers").forEach(tm -> hosts.add(tm.path("taskmanager-id").asText()));
        assertThat(hosts).containsExactly("taskmanager-1");
        System.out.printf(
                "tiny-job vertices: %s%nafter the job: JobManager RSS %d MB, TaskManager RSS %d MB%n",
                job.path("vertices"),
                rssMegabytes(flink.jobManagerPid().orElseThrow()),
                rssMegabytes(taskManagerPid));
    }

    @Test
    @Order(3)
    void externalClusterIsOnlyCheckedNeverStopped() throws Exception {
        FlinkCluster external = FlinkCluster.external(flink.restUrl() + "/");
        external.start();
        assertThat(external.external()).isTrue();
        assertThat(external.restUrl()).isEqualTo(flink.restUrl());
        assertThat(external.restPort()).isEqualTo(flink.restPort());
        assertThat(external.host()).isEqualTo("127.0.0.1");
        assertThatThrownBy(external::killTaskManager)
                .isInstanceOf(UnsupportedOperationException.class);
        external.close();
        assertThat(Ports.httpGet(flink.restUrl() + "/overview")).isNotNull();

        FlinkCluster nothing = FlinkCluster.external("http://127.0.0.1:" + Ports.free());
        assertThatThrownBy(nothing::start).hasMessageContaining("not ready");
    }

    @Test
    @Order(4)
    void killedTaskManagerIsReplacedByTheSupervisorWithoutAnyoneStartingOne() throws Exception {
        long killed = flink.taskManagerPids().get(0);
        flink.killTaskManager();
        assertThat(ProcessHandle.of(killed).filter(ProcessHandle::isAlive)).isEmpty();

        // nobody calls startTaskManager(): the supervisor does, as systemd or Kubernetes would
        await("a new TaskManager registered by itself")
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(500))
                .untilAsserted(
                        () -> {
                            assertThat(flink.taskManagerPids()).hasSize(1).doesNotContain(killed);
                            assertThat(flink.taskManagerIds())
                                    .containsExactly("taskmanager-1", "taskmanager-2");
                            // the JobManager drops the killed one after failed heartbeats
                            JsonNode tms = rest.get("/taskmanagers").path("taskmanagers");
                            assertThat(tms).hasSize(1);
                            assertThat(tms.get(0).path("id").asText()).isEqualTo("taskmanager-2");
                            assertThat(tms.get(0).path("slotsNumber").asInt()).isEqualTo(SLOTS);
                        });
    }

    @Test
    @Order(5)
    void closeLeavesNoProcessAndNoPort() {
        List<Long> pids = new ArrayList<>(flink.taskManagerPids());
        pids.add(flink.jobManagerPid().orElseThrow());
        int port = flink.restPort();

        flink.close();

        for (long pid : pids) {
            assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive))
                    .as("process %d after close()", pid)
                    .isEmpty();
        }
        assertThat(flink.jobManagerPid()).isEmpty();
        assertThat(flink.taskManagerPids()).isEmpty();
        assertThat(Ports.isOpen("127.0.0.1", port))
                .as("REST port %d after close()", port)
                .isFalse();
        flink.close(); // idempotent
    }

    private static long square(String n) {
        long value = Long.parseLong(n);
        return value * value;
    }

    /** Lines of the finished part files ({@code .}/{@code _} names are in-progress files). */
    private static List<String[]> readRows(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile)
                    .filter(
                            f ->
                                    !f.getFileName().toString().startsWith(".")
                                            && !f.getFileName().toString().startsWith("_"))
                    .flatMap(FlinkClusterIT::lines)
                    .filter(line -> !line.isBlank())
                    .map(line -> line.split(" "))
                    .toList();
        }
    }

    private static Stream<String> lines(Path file) {
        try {
            return Files.readAllLines(file).stream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long rssMegabytes(long pid) {
        try {
            return Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
                            .filter(line -> line.startsWith("VmRSS:"))
                            .mapToLong(line -> Long.parseLong(line.replaceAll("\\D", "")))
                            .findFirst()
                            .orElse(-1)
                    / 1024;
        } catch (IOException e) {
            return -1;
        }
    }
}
