package dev.changeflow.cli.docker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

import javax.xml.parsers.DocumentBuilderFactory;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Keeps docker/ consistent with the rest of the repository without a Docker engine: the compose
 * file, the Flink image's Dockerfile, the SQL scripts in sql/, the poms and docker/README.md.
 * (`docker-compose config -q` in .ci/run checks the compose file's syntax.)
 */
class DockerStackTest {

    /** Connectors the SQL scripts use (sql/ or not): the Flink image must always carry them. */
    private static final Set<String> KNOWN_CONNECTORS =
            Set.of(
                    "postgres-cdc",
                    "mysql-cdc",
                    "kafka",
                    "upsert-kafka",
                    "elasticsearch-7",
                    "filesystem");

    private static final Set<String> KNOWN_FORMATS = Set.of("parquet");

    /**
     * Jar name prefixes (up to the version) a connector needs in the image; empty: in flink-dist.
     */
    private static final Map<String, List<String>> CONNECTOR_JARS =
            Map.ofEntries(
                    Map.entry("postgres-cdc", List.of("flink-sql-connector-postgres-cdc-")),
                    Map.entry(
                            "mysql-cdc",
                            List.of("flink-sql-connector-mysql-cdc-", "mysql-connector-j-")),
                    Map.entry("kafka", List.of("flink-connector-kafka-", "kafka-clients-")),
                    Map.entry("upsert-kafka", List.of("flink-connector-kafka-", "kafka-clients-")),
                    Map.entry("elasticsearch-7", List.of("flink-sql-connector-elasticsearch7-")),
                    Map.entry("trigger-cdc", List.of("changeflow-sql-cdc-")),
                    Map.entry("query-cdc", List.of("changeflow-sql-cdc-")),
                    Map.entry("changeflow-redis", List.of("changeflow-sql-redis-")),
                    Map.entry("filesystem", List.of()),
                    Map.entry("datagen", List.of()),
                    Map.entry("print", List.of()),
                    Map.entry("blackhole", List.of()));

    /** The same for formats ('format', 'key.format', 'value.format'). */
    private static final Map<String, List<String>> FORMAT_JARS =
            Map.of(
                    "parquet",
                    List.of("flink-sql-parquet-", "hadoop-client-api-", "hadoop-client-runtime-"),
                    "avro",
                    List.of("flink-sql-avro-"),
                    "json",
                    List.of(),
                    "debezium-json",
                    List.of(),
                    "canal-json",
                    List.of(),
                    "maxwell-json",
                    List.of(),
                    "csv",
                    List.of(),
                    "raw",
                    List.of());

    /** The variables the SQL scripts may use (the contract with sql/), set or not used yet. */
    private static final List<String> SQL_VARIABLES =
            List.of(
                    "PG_HOST",
                    "PG_PORT",
                    "PG_DB",
                    "PG_USER",
                    "PG_PASSWORD",
                    "MYSQL_HOST",
                    "MYSQL_PORT",
                    "MYSQL_DB",
                    "MYSQL_USER",
                    "MYSQL_PASSWORD",
                    "KAFKA_BOOTSTRAP",
                    "ES_HOSTS",
                    "S3_ENDPOINT",
                    "S3_BUCKET",
                    "S3_ACCESS_KEY",
                    "S3_SECRET_KEY",
                    "REDIS_URI");

    private static final Pattern OPTION =
            Pattern.compile("'((?:key\\.|value\\.)?format|connector)'\\s*=\\s*'([^']+)'");
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");
    private static final Pattern JAR =
            Pattern.compile("([A-Za-z][A-Za-z0-9_.-]*?)-(\\d[A-Za-z0-9_.-]*)\\.jar");
    private static final Pattern ARG = Pattern.compile("^ARG\\s+(\\w+)=(\\S+)", Pattern.MULTILINE);
    private static final Pattern FROM = Pattern.compile("^FROM\\s+(\\S+)", Pattern.MULTILINE);

    private static Path root;
    private static JsonNode compose;
    private static String dockerfile;

    @BeforeAll
    static void read() throws IOException {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isRegularFile(dir.resolve("docker/docker-compose.yml"))) {
            dir = dir.getParent();
        }
        assertThat(dir)
                .as("repository root (with docker/docker-compose.yml) above the working directory")
                .isNotNull();
        root = dir;
        compose = new YAMLMapper().readTree(root.resolve("docker/docker-compose.yml").toFile());
        dockerfile = Files.readString(root.resolve("docker/flink/Dockerfile"));
    }

    @Test
    void everyImageIsPinnedToAVersion() {
        List<String> images = new ArrayList<>();
        services()
                .forEach(
                        (name, service) -> {
                            assertThat(service.has("image") || service.has("build"))
                                    .as("service %s has an image or a build", name)
                                    .isTrue();
                            if (service.has("image")) {
                                images.add(service.get("image").asText());
                            }
                        });
        Matcher from = FROM.matcher(dockerfile);
        while (from.find()) {
            images.add(from.group(1));
        }
        assertThat(images).isNotEmpty();
        for (String image : images) {
            String lastPart = image.substring(image.lastIndexOf('/') + 1);
            assertThat(lastPart).as("image %s names a tag", image).contains(":");
            String tag = lastPart.substring(lastPart.indexOf(':') + 1);
            assertThat(tag)
                    .as("tag of image %s", image)
                    .isNotBlank()
                    .isNotEqualToIgnoringCase("latest")
                    .doesNotContain("$");
        }
    }

    @Test
    void theFlinkImageIsTheFlinkVersionOfTheRootPom() throws Exception {
        String flinkVersion =
                text(pom("pom.xml").getDocumentElement(), "properties", "flink.version");
        assertThat(flinkVersion).isNotBlank();

        Matcher from = FROM.matcher(dockerfile);
        assertThat(from.find()).as("a FROM line in docker/flink/Dockerfile").isTrue();
        assertThat(from.group(1)).startsWith("flink:" + flinkVersion + "-");

        for (String name : flinkServices().keySet()) {
            JsonNode service = services().get(name);
            assertThat(service.get("image").asText())
                    .as("image of %s", name)
                    .endsWith(":" + flinkVersion);
            assertThat(environment(name).get("ENABLE_BUILT_IN_PLUGINS"))
                    .as("the s3 plugin of %s", name)
                    .isEqualTo("flink-s3-fs-hadoop-" + flinkVersion + ".jar");
        }
        // the TaskManager runs the image the JobManager builds
        assertThat(flinkServices()).containsKeys("jobmanager", "taskmanager");
    }

    @Test
    void theImageCarriesTheJobJarsTheJobsModuleBuilds() throws Exception {
        Element jobs = pom("jobs/pom.xml").getDocumentElement();
        String version =
                child(jobs, "version") != null
                        ? child(jobs, "version").getTextContent().trim()
                        : text(jobs, "parent", "version");
        // the build context is the repository root: .dockerignore must let the jars through
        List<String> exceptions =
                Files.readAllLines(root.resolve(".dockerignore")).stream()
                        .filter(l -> l.startsWith("!"))
                        .map(l -> l.substring(1))
                        .toList();
        Map<String, String> copies = new TreeMap<>();
        Matcher copy =
                Pattern.compile(
                                "^COPY\\s+(?:--\\S+\\s+)*(jobs/target/\\S+)\\s+(\\S+)",
                                Pattern.MULTILINE)
                        .matcher(dockerfile);
        while (copy.find()) {
            copies.put(resolveArgs(copy.group(1)), copy.group(2));
        }
        var outputFiles = jobs.getElementsByTagName("outputFile");
        assertThat(outputFiles.getLength()).as("the fat jars of jobs/pom.xml").isEqualTo(2);
        for (int i = 0; i < outputFiles.getLength(); i++) {
            String jar =
                    outputFiles
                            .item(i)
                            .getTextContent()
                            .trim()
                            .replace("${project.build.directory}/", "jobs/target/")
                            .replace("${project.version}", version);
            assertThat(jar).startsWith("jobs/target/").doesNotContain("${");
            assertThat(copies).as("a COPY of %s in docker/flink/Dockerfile", jar).containsKey(jar);
            assertThat(copies.get(jar)).startsWith("/opt/flink/usrlib/").endsWith(".jar");
            assertThat(exceptions)
                    .as(".dockerignore exceptions for %s", jar)
                    .anySatisfy(
                            glob ->
                                    assertThat(
                                                    FileSystems.getDefault()
                                                            .getPathMatcher("glob:" + glob)
                                                            .matches(Path.of(jar)))
                                            .isTrue());
            // and the README submits the jar the image has
            assertThat(Files.readString(root.resolve("docker/README.md")))
                    .contains(copies.get(jar));
        }
    }

    @Test
    void everyConnectorAndFormatOfTheSqlScriptsHasItsJarInTheImage() throws IOException {
        Map<String, Set<String>> connectors = new TreeMap<>();
        Map<String, Set<String>> formats = new TreeMap<>();
        KNOWN_CONNECTORS.forEach(
                c -> connectors.computeIfAbsent(c, k -> new TreeSet<>()).add("(always)"));
        KNOWN_FORMATS.forEach(
                f -> formats.computeIfAbsent(f, k -> new TreeSet<>()).add("(always)"));
        for (Path script : sqlScripts()) {
            Matcher option = OPTION.matcher(Files.readString(script));
            while (option.find()) {
                Map<String, Set<String>> into =
                        option.group(1).equals("connector") ? connectors : formats;
                into.computeIfAbsent(option.group(2), k -> new TreeSet<>())
                        .add(root.relativize(script).toString());
            }
        }
        Set<String> jars = downloadedJars();
        check(connectors, CONNECTOR_JARS, "connector", "CONNECTOR_JARS", jars);
        check(formats, FORMAT_JARS, "format", "FORMAT_JARS", jars);
    }

    @Test
    void everyVariableOfTheSqlScriptsIsSetInTheFlinkServices() throws IOException {
        Map<String, String> used = new LinkedHashMap<>();
        SQL_VARIABLES.forEach(v -> used.put(v, "(the sql/ contract)"));
        for (Path script : sqlScripts()) {
            Matcher variable = VARIABLE.matcher(Files.readString(script));
            while (variable.find()) {
                used.putIfAbsent(variable.group(1), root.relativize(script).toString());
            }
        }
        for (String service : flinkServices().keySet()) {
            Map<String, String> environment = environment(service);
            used.forEach(
                    (variable, where) ->
                            assertThat(environment.get(variable))
                                    .as(
                                            "${%s} (used by %s) in the environment of %s",
                                            variable, where, service)
                                    .isNotBlank());
        }
    }

    @Test
    void publishedPortsAreDistinctTheSameInsideAndOutsideAndDocumented() throws IOException {
        String readme = Files.readString(root.resolve("docker/README.md"));
        Map<Integer, String> owners = new HashMap<>();
        services()
                .forEach(
                        (name, service) -> {
                            for (JsonNode port : iterable(service.path("ports"))) {
                                String[] parts = port.asText().split(":");
                                assertThat(parts.length)
                                        .as("port %s of %s is HOST:CONTAINER", port.asText(), name)
                                        .isGreaterThanOrEqualTo(2);
                                int host = Integer.parseInt(parts[parts.length - 2]);
                                String container = parts[parts.length - 1].replace("/tcp", "");
                                assertThat(container)
                                        .as("container port of %s", name)
                                        .isEqualTo(String.valueOf(host));
                                String previous = owners.put(host, name);
                                assertThat(previous)
                                        .as(
                                                "host port %d of %s is also published by %s",
                                                host, name, previous)
                                        .isNull();
                                assertThat(readme)
                                        .as("docker/README.md documents port %d (%s)", host, name)
                                        .contains(String.valueOf(host));
                            }
                        });
        assertThat(owners).containsKeys(5432, 3306, 9092, 6379, 9200, 9000, 8081);
    }

    @Test
    void theDatabasesAreConfiguredForLogBasedCapture() {
        String postgres = command("postgres");
        assertThat(postgres)
                .contains("wal_level=logical")
                .contains("max_replication_slots=")
                .contains("max_wal_senders=");
        String mariadb = command("mariadb").replace('_', '-');
        assertThat(mariadb)
                .contains("--binlog-format=ROW")
                .contains("--binlog-row-image=FULL")
                .contains("--log-bin")
                .contains("--server-id=");
    }

    @Test
    void serversHaveHealthchecksAndDependentsWaitForThem() {
        services()
                .forEach(
                        (name, service) -> {
                            boolean oneShot = "no".equals(service.path("restart").asText());
                            if (!oneShot) {
                                assertThat(service.has("healthcheck"))
                                        .as("service %s has a healthcheck", name)
                                        .isTrue();
                            }
                            for (Iterator<Map.Entry<String, JsonNode>> it =
                                            service.path("depends_on").fields();
                                    it.hasNext(); ) {
                                Map.Entry<String, JsonNode> dependency = it.next();
                                assertThat(services())
                                        .as("%s depends on a service", name)
                                        .containsKey(dependency.getKey());
                                String condition = dependency.getValue().path("condition").asText();
                                boolean dependencyIsOneShot =
                                        "no"
                                                .equals(
                                                        services()
                                                                .get(dependency.getKey())
                                                                .path("restart")
                                                                .asText());
                                assertThat(condition)
                                        .as("condition of %s on %s", name, dependency.getKey())
                                        .isEqualTo(
                                                dependencyIsOneShot
                                                        ? "service_completed_successfully"
                                                        : "service_healthy");
                            }
                            assertThat(service.path("depends_on").isArray())
                                    .as("depends_on of %s with conditions, not a list", name)
                                    .isFalse();
                        });
    }

    // ---- helpers

    private static void check(
            Map<String, Set<String>> used,
            Map<String, List<String>> known,
            String kind,
            String mapName,
            Set<String> jars) {
        used.forEach(
                (name, where) -> {
                    assertThat(known)
                            .as(
                                    "%s '%s' (used by %s) needs its jars in docker/flink/Dockerfile and an entry in %s",
                                    kind, name, where, mapName)
                            .containsKey(name);
                    for (String prefix : known.get(name)) {
                        assertThat(jars)
                                .as(
                                        "jars of docker/flink/Dockerfile for %s '%s' (used by %s)",
                                        kind, name, where)
                                .anyMatch(jar -> jar.startsWith(prefix));
                    }
                });
    }

    /**
     * The jars the Dockerfile puts into {@code lib/}: downloaded, or copied from the build
     * (name-version.jar, so every one has a fixed version).
     */
    private static Set<String> downloadedJars() {
        Set<String> jars = new LinkedHashSet<>();
        for (String line : dockerfile.split("\n")) {
            if (line.strip().startsWith("#")
                    || line.contains("changeflow-jobs")
                    || line.contains("changeflow-ingest")) {
                continue;
            }
            Matcher jar = JAR.matcher(resolveArgs(line));
            while (jar.find()) {
                jars.add(jar.group(0));
            }
        }
        return jars;
    }

    private static List<Path> sqlScripts() throws IOException {
        Path sql = root.resolve("sql");
        if (!Files.isDirectory(sql)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(sql)) {
            return files.filter(f -> f.toString().endsWith(".sql"))
                    .filter(f -> !sql.relativize(f).toString().startsWith("target"))
                    .sorted()
                    .toList();
        }
    }

    private static Map<String, JsonNode> services() {
        Map<String, JsonNode> services = new LinkedHashMap<>();
        compose.path("services")
                .fields()
                .forEachRemaining(e -> services.put(e.getKey(), e.getValue()));
        assertThat(services).as("services of docker/docker-compose.yml").isNotEmpty();
        return services;
    }

    /**
     * The services that run the Changeflow Flink image (the one built from
     * docker/flink/Dockerfile).
     */
    private static Map<String, JsonNode> flinkServices() {
        String built = null;
        for (JsonNode service : services().values()) {
            if (service.path("build")
                    .path("dockerfile")
                    .asText()
                    .equals("docker/flink/Dockerfile")) {
                built = service.path("image").asText();
            }
        }
        assertThat(built)
                .as("a service builds docker/flink/Dockerfile and names its image")
                .isNotBlank();
        Map<String, JsonNode> flink = new LinkedHashMap<>();
        String image = built;
        services()
                .forEach(
                        (name, service) -> {
                            if (service.path("image").asText().equals(image)) {
                                flink.put(name, service);
                            }
                        });
        return flink;
    }

    /**
     * A service's environment as a map. Jackson reports a YAML alias ({@code *x-name}) as the
     * anchor's name, so the compose file names each anchor like the {@code x-} key it sits on.
     */
    private static Map<String, String> environment(String service) {
        JsonNode environment = services().get(service).path("environment");
        if (environment.isTextual()) {
            environment = compose.path(environment.asText());
            assertThat(environment.isObject())
                    .as("environment alias of %s names an x- key", service)
                    .isTrue();
        }
        Map<String, String> values = new HashMap<>();
        if (environment.isArray()) {
            for (JsonNode entry : environment) {
                String[] kv = entry.asText().split("=", 2);
                values.put(kv[0], kv.length > 1 ? kv[1] : "");
            }
        } else {
            environment
                    .fields()
                    .forEachRemaining(e -> values.put(e.getKey(), e.getValue().asText()));
        }
        return values;
    }

    private static String command(String service) {
        JsonNode command = services().get(service).path("command");
        assertThat(command.isMissingNode()).as("command of %s", service).isFalse();
        if (command.isArray()) {
            List<String> parts = new ArrayList<>();
            command.forEach(p -> parts.add(p.asText()));
            return String.join(" ", parts);
        }
        return command.asText();
    }

    private static String resolveArgs(String value) {
        Matcher arg = ARG.matcher(dockerfile);
        String resolved = value;
        while (arg.find()) {
            resolved =
                    resolved.replace("${" + arg.group(1) + "}", arg.group(2))
                            .replace("$" + arg.group(1), arg.group(2));
        }
        return resolved;
    }

    private static Iterable<JsonNode> iterable(JsonNode node) {
        return node::elements;
    }

    private static Document pom(String path) throws Exception {
        return DocumentBuilderFactory.newInstance()
                .newDocumentBuilder()
                .parse(root.resolve(path).toFile());
    }

    private static Element child(Element parent, String name) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(name)) {
                return e;
            }
        }
        return null;
    }

    private static String text(Element project, String parent, String name) {
        Element p = child(project, parent);
        assertThat(p).as("<%s> in the pom", parent).isNotNull();
        Element e = child(p, name);
        assertThat(e).as("<%s><%s> in the pom", parent, name).isNotNull();
        return e.getTextContent().trim();
    }
}
