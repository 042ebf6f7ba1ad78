package dev.changeflow.cdc.config;

import dev.changeflow.cdc.log.CdcSetupException;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The database password without putting it on a command line (where {@code ps} and shell history
 * show it): from a file, as Flink and Debezium users mount secrets, or from an environment
 * variable. {@code password} given outright still works.
 */
public final class DatabasePasswords {

    /** The environment variable holding the password when neither option is given. */
    public static final String ENVIRONMENT_VARIABLE = "CHANGEFLOW_DATABASE_PASSWORD";

    public static final ConfigOption<String> PASSWORD_FILE =
            ConfigOptions.key("password-file")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "A file whose first line is the database password, instead of"
                                    + " password (kept out of ps and shell history; on a cluster"
                                    + " the file is read where the job's main runs). Without"
                                    + " either, the variable "
                                    + ENVIRONMENT_VARIABLE
                                    + " is read.");

    private static final ConfigOption<String> PASSWORD =
            ConfigOptions.key("password").stringType().noDefaultValue();

    private DatabasePasswords() {}

    /**
     * Sets {@code password} in {@code conf} from {@code password-file} or the environment when it
     * is not given, and removes {@code password-file}.
     *
     * @throws CdcSetupException if both are given or the file cannot be read
     */
    public static void resolve(Configuration conf, Map<String, String> environment) {
        String password =
                password(
                        conf.getOptional(PASSWORD).orElse(null),
                        conf.getOptional(PASSWORD_FILE).orElse(null),
                        environment);
        conf.removeConfig(PASSWORD_FILE);
        if (password != null) {
            conf.set(PASSWORD, password);
        }
    }

    /**
     * The password: {@code password} if given, else the first line of {@code passwordFile}, else
     * {@value #ENVIRONMENT_VARIABLE}, else null.
     *
     * @throws CdcSetupException if both {@code password} and {@code passwordFile} are given or the
     *     file cannot be read
     */
    public static String password(
            String password, String passwordFile, Map<String, String> environment) {
        if (passwordFile != null && !passwordFile.isBlank()) {
            if (password != null && !password.isEmpty()) {
                throw new CdcSetupException(
                        "give the database password once: password or password-file, not both");
            }
            try {
                String text = Files.readString(Path.of(passwordFile), StandardCharsets.UTF_8);
                int end = text.indexOf('\n');
                String line = end < 0 ? text : text.substring(0, end);
                return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
            } catch (IOException e) {
                throw new CdcSetupException(
                        "password-file " + passwordFile + " cannot be read: " + e, e);
            }
        }
        if (password != null && !password.isEmpty()) {
            return password;
        }
        String fromEnvironment = environment.get(ENVIRONMENT_VARIABLE);
        return fromEnvironment != null ? fromEnvironment : password;
    }
}
