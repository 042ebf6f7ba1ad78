package dev.changeflow.cli;

import org.slf4j.bridge.SLF4JBridgeHandler;

import java.nio.file.Path;

/**
 * Where the command line's logs go: its own messages and real problems on the console, the rest
 * (libraries, servers, Flink) in a log file. Set up before anything logs.
 */
public final class Logging {

    /** The system property naming the log file (the launcher sets it from CHANGEFLOW_LOG_FILE). */
    public static final String LOG_FILE_PROPERTY = "changeflow.log.file";

    static final String DEFAULT_LOG_FILE = "changeflow-state/logs/changeflow.log";

    private Logging() {}

    /**
     * Points log4j at the log file, bridges {@code java.util.logging} (the binlog client's) into
     * the same logging, and turns off the AWS SDK v1 deprecation banner of the S3 file system.
     */
    static void setUp() {
        if (System.getProperty(LOG_FILE_PROPERTY) == null) {
            String fromEnvironment = System.getenv("CHANGEFLOW_LOG_FILE");
            System.setProperty(
                    LOG_FILE_PROPERTY,
                    fromEnvironment == null || fromEnvironment.isBlank()
                            ? DEFAULT_LOG_FILE
                            : fromEnvironment);
        }
        System.setProperty("aws.java.v1.disableDeprecationAnnouncement", "true");
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
    }

    /** The log file, absolute, for the line a command prints at start. */
    public static Path file() {
        return Path.of(System.getProperty(LOG_FILE_PROPERTY, DEFAULT_LOG_FILE)).toAbsolutePath();
    }
}
