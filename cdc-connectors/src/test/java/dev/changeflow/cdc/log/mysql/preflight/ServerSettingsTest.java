package dev.changeflow.cdc.log.mysql.preflight;

import dev.changeflow.cdc.log.CdcSetupException;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The preflight's decisions on stubbed server answers: binlog settings no IT can safely flip. */
class ServerSettingsTest {

    private static final Map<String, String> GOOD =
            Map.of("log_bin", "ON", "binlog_format", "ROW", "binlog_row_image", "FULL");

    @Test
    void rowFormatWithFullImagePasses() {
        assertThatCode(() -> mariaDb(GOOD).checkBinlog()).doesNotThrowAnyException();
        // MySQL 5.6 and older MariaDB have no binlog_row_image; MySQL 8 an empty value options
        assertThatCode(
                        () ->
                                mysql(
                                                Map.of(
                                                        "log_bin",
                                                        "ON",
                                                        "binlog_format",
                                                        "ROW",
                                                        "binlog_row_value_options",
                                                        ""))
                                        .checkBinlog())
                .doesNotThrowAnyException();
    }

    @Test
    void binlogOffIsNamedWithTheMyCnfLines() {
        assertThatThrownBy(() -> mariaDb(with("log_bin", "OFF")).checkBinlog())
                .isInstanceOf(CdcSetupException.class)
                .hasMessageContaining("MariaDB 10.11.5-MariaDB-log at db:3306")
                .hasMessageContaining("binary logging off (log_bin = OFF)")
                .hasMessageContaining("log_bin = mysql-bin");
    }

    @Test
    void statementOrMixedFormatIsNamed() {
        assertThatThrownBy(() -> mariaDb(with("binlog_format", "MIXED")).checkBinlog())
                .isInstanceOf(CdcSetupException.class)
                .hasMessageContaining("binlog_format = MIXED")
                .hasMessageContaining("needs binlog_format = ROW");
        assertThatThrownBy(() -> mysql(with("binlog_format", "statement")).checkBinlog())
                .hasMessageContaining("MySQL 8.0.36 at db:3306 has binlog_format = STATEMENT");
    }

    @Test
    void minimalOrNoblobRowImageIsNamed() {
        assertThatThrownBy(() -> mariaDb(with("binlog_row_image", "MINIMAL")).checkBinlog())
                .isInstanceOf(CdcSetupException.class)
                .hasMessageContaining("binlog_row_image = MINIMAL")
                .hasMessageContaining("needs binlog_row_image = FULL");
        assertThatThrownBy(() -> mariaDb(with("binlog_row_image", "NOBLOB")).checkBinlog())
                .hasMessageContaining("binlog_row_image = NOBLOB");
    }

    @Test
    void partialJsonUpdatesAreRejected() {
        assertThatThrownBy(
                        () -> mysql(with("binlog_row_value_options", "PARTIAL_JSON")).checkBinlog())
                .hasMessageContaining("binlog_row_value_options = PARTIAL_JSON");
    }

    @Test
    void replicationPrivilegesAreNamedWithTheGrant() {
        assertThatCode(
                        () ->
                                settings(
                                                "10.11.5-MariaDB",
                                                GOOD,
                                                Set.of(
                                                        "SELECT",
                                                        "REPLICATION SLAVE",
                                                        "BINLOG MONITOR"))
                                        .checkPrivileges())
                .doesNotThrowAnyException();
        assertThatCode(
                        () ->
                                settings(
                                                "8.0.36",
                                                GOOD,
                                                Set.of("REPLICATION SLAVE", "REPLICATION CLIENT"))
                                        .checkPrivileges())
                .doesNotThrowAnyException();
        assertThatThrownBy(
                        () ->
                                settings("10.11.5-MariaDB", GOOD, Set.of("BINLOG MONITOR"))
                                        .checkPrivileges())
                .isInstanceOf(CdcSetupException.class)
                .hasMessageContaining("user 'cdc'@'%' lacks REPLICATION SLAVE on MariaDB")
                .hasMessageContaining("GRANT REPLICATION SLAVE ON *.* TO 'cdc'@'%'");
        assertThatThrownBy(() -> settings("8.0.36", GOOD, Set.of("SELECT")).checkPrivileges())
                .hasMessageContaining("lacks REPLICATION SLAVE, REPLICATION CLIENT on MySQL")
                .hasMessageNotContaining("BINLOG MONITOR");
    }

    @Test
    void timeZoneMustMatchTheServersOffset() {
        Instant winter = Instant.parse("2024-01-15T12:00:00Z");
        Instant summer = Instant.parse("2024-07-15T12:00:00Z");
        assertThatCode(() -> MySqlPreflight.checkTimeZone(3600, "Europe/Berlin", winter, "db"))
                .doesNotThrowAnyException();
        assertThatCode(() -> MySqlPreflight.checkTimeZone(7200, "Europe/Berlin", summer, "db"))
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> MySqlPreflight.checkTimeZone(0, "Europe/Berlin", summer, "db"))
                .isInstanceOf(CdcSetupException.class)
                .hasMessageContaining("runs at UTC+00:00")
                .hasMessageContaining("'server-time-zone' = 'Europe/Berlin' is UTC+02:00");
        assertThatThrownBy(() -> MySqlPreflight.checkTimeZone(-16200, "UTC", summer, "db"))
                .hasMessageContaining("runs at UTC-04:30");
    }

    @Test
    void currentUserBecomesInformationSchemasGrantee() {
        org.assertj.core.api.Assertions.assertThat(MySqlPreflight.grantee("cdc@%"))
                .isEqualTo("'cdc'@'%'");
        org.assertj.core.api.Assertions.assertThat(MySqlPreflight.grantee("a@b@10.0.0.%"))
                .isEqualTo("'a@b'@'10.0.0.%'");
    }

    private static Map<String, String> with(String name, String value) {
        Map<String, String> variables = new java.util.HashMap<>(GOOD);
        variables.put(name, value);
        return variables;
    }

    private static ServerSettings mariaDb(Map<String, String> variables) {
        return settings("10.11.5-MariaDB-log", variables, Set.of());
    }

    private static ServerSettings mysql(Map<String, String> variables) {
        return settings("8.0.36", variables, Set.of());
    }

    private static ServerSettings settings(
            String version, Map<String, String> variables, Set<String> privileges) {
        return new ServerSettings("db:3306", version, variables, "'cdc'@'%'", privileges);
    }
}
