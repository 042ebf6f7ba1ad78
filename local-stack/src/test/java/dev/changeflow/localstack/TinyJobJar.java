package dev.changeflow.localstack;

import dev.changeflow.localstack.process.RuntimeClasspath;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/**
 * Builds a tiny Flink job jar inside the test: the source below is compiled against the cluster's
 * own classpath ({@code runtime-flink}; local-stack itself has no Flink dependency) and packed with
 * a {@code Main-Class} manifest, like a user's job jar.
 *
 * <p>The job squares 1..1000 in BATCH mode and writes {@code "<n> <n*n> <pid>"} lines with a
 * FileSink, where {@code pid} is the process that ran the map function: the test can prove the data
 * was computed in the cluster's TaskManager. The map is a vertex of its own (chaining disabled), so
 * its record counts show in the job's REST metrics.
 */
final class TinyJobJar {

    static final String MAIN_CLASS = "dev.changeflow.tinyjob.TinyJob";
    static final int COUNT = 1000;

    private static final String SOURCE =
            """
            package dev.changeflow.tinyjob;

            import org.apache.flink.api.common.RuntimeExecutionMode;
            import org.apache.flink.api.common.functions.MapFunction;
            import org.apache.flink.api.common.serialization.SimpleStringEncoder;
            import org.apache.flink.connector.file.sink.FileSink;
            import org.apache.flink.core.fs.Path;
            import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
            import org.apache.flink.streaming.api.functions.sink.filesystem.bucketassigners.BasePathBucketAssigner;

            public final class TinyJob {

                public static void main(String[] args) throws Exception {
                    if (args.length != 1) {
                        throw new IllegalArgumentException("usage: TinyJob <output directory>");
                    }
                    StreamExecutionEnvironment env =
                            StreamExecutionEnvironment.getExecutionEnvironment();
                    env.setRuntimeMode(RuntimeExecutionMode.BATCH);
                    env.fromSequence(1, %d)
                            .name("numbers")
                            .map(new Square())
                            .name("square")
                            .disableChaining()
                            .sinkTo(FileSink.forRowFormat(
                                            new Path(args[0]), new SimpleStringEncoder<String>())
                                    .withBucketAssigner(new BasePathBucketAssigner<>())
                                    .build())
                            .name("files");
                    env.execute("tiny-job");
                }

                /** n -> "n n*n pid-of-this-process" */
                public static final class Square implements MapFunction<Long, String> {
                    @Override
                    public String map(Long n) {
                        return n + " " + (n * n) + " " + ProcessHandle.current().pid();
                    }
                }
            }
            """
                    .formatted(COUNT);

    private TinyJobJar() {}

    /** Compiles the job under {@code workDir} and returns {@code workDir/tiny-job.jar}. */
    static Path build(Path workDir) throws IOException {
        Path src = workDir.resolve("src/dev/changeflow/tinyjob/TinyJob.java");
        Path classes = workDir.resolve("classes");
        Files.createDirectories(src.getParent());
        Files.createDirectories(classes);
        Files.writeString(src, SOURCE);

        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        if (javac == null) {
            throw new IllegalStateException("no system Java compiler: run the tests on a JDK");
        }
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        int exit =
                javac.run(
                        null,
                        diagnostics,
                        diagnostics,
                        "--release",
                        "17",
                        "-classpath",
                        String.join(File.pathSeparator, RuntimeClasspath.of("runtime-flink")),
                        "-d",
                        classes.toString(),
                        src.toString());
        if (exit != 0) {
            throw new IllegalStateException("TinyJob does not compile:\n" + diagnostics);
        }

        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, MAIN_CLASS);
        Path jar = workDir.resolve("tiny-job.jar");
        List<Path> files;
        try (Stream<Path> walk = Files.walk(classes)) {
            files = walk.filter(Files::isRegularFile).sorted().toList();
        }
        try (OutputStream out = Files.newOutputStream(jar);
                JarOutputStream jarOut = new JarOutputStream(out, manifest)) {
            for (Path file : files) {
                String name = classes.relativize(file).toString().replace(File.separatorChar, '/');
                jarOut.putNextEntry(new JarEntry(name));
                Files.copy(file, jarOut);
                jarOut.closeEntry();
            }
        }
        return jar;
    }
}
