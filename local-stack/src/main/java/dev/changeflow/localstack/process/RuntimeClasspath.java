package dev.changeflow.localstack.process;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The classpath of a server that runs in its own JVM. Each {@code local-stack/runtime-*} module
 * writes its resolved dependency classpath into {@code META-INF/changeflow/<name>.classpath} at
 * build time, so the servers' trees (Elasticsearch, Spring Boot, Flink's cluster) never share a
 * classpath with ours.
 */
public final class RuntimeClasspath {

    private RuntimeClasspath() {}

    public static List<String> of(String runtime) {
        String resource = "META-INF/changeflow/" + runtime + ".classpath";
        try (InputStream in =
                RuntimeClasspath.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(
                        resource
                                + " is not on the classpath: build the local-stack/"
                                + runtime
                                + " module first (mvn -DskipTests install)");
            }
            List<String> entries =
                    Arrays.stream(
                                    new String(in.readAllBytes(), StandardCharsets.UTF_8)
                                            .trim()
                                            .split(File.pathSeparator))
                            .filter(s -> !s.isBlank())
                            .toList();
            for (String entry : entries) {
                if (!Files.exists(Path.of(entry))) {
                    throw new IllegalStateException(
                            runtime
                                    + ": "
                                    + entry
                                    + " is missing from the local Maven repository; rebuild with"
                                    + " mvn -DskipTests install");
                }
            }
            return entries;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The runtime module's own jar (or classes directory in a reactor build), for servers that need
     * the module's own classes (a main class, a Spring auto-configuration) next to its
     * dependencies.
     */
    public static String moduleLocation(String runtime) {
        String resource = "META-INF/changeflow/" + runtime + ".classpath";
        java.net.URL found = RuntimeClasspath.class.getClassLoader().getResource(resource);
        if (found == null) {
            throw new IllegalStateException(
                    resource + " is not on the classpath: build local-stack/" + runtime + " first");
        }
        try {
            if ("jar".equals(found.getProtocol())) {
                String spec = found.getPath();
                return Path.of(new java.net.URI(spec.substring(0, spec.indexOf("!/")))).toString();
            }
            // .../classes/META-INF/changeflow/<runtime>.classpath -> .../classes
            return Path.of(found.toURI()).getParent().getParent().getParent().toString();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException("cannot locate " + runtime + " from " + found, e);
        }
    }
}
