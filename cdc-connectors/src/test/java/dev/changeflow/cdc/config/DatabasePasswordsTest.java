package dev.changeflow.cdc.config;

import dev.changeflow.cdc.log.CdcSetupException;

import org.apache.flink.configuration.Configuration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DatabasePasswordsTest {

    private static final Map<String, String> NO_ENV = Map.of();

    @TempDir Path dir;

    @Test
    void theFileGivesItsFirstLine() throws Exception {
        Path file = Files.writeString(dir.resolve("pw"), "s3cret\r\nignored\n");
        assertThat(DatabasePasswords.password(null, file.toString(), NO_ENV)).isEqualTo("s3cret");
        Path bare = Files.writeString(dir.resolve("bare"), "no newline");
        assertThat(DatabasePasswords.password("", bare.toString(), NO_ENV)).isEqualTo("no newline");
    }

    @Test
    void thePasswordOptionWinsOverTheEnvironmentWhichIsTheLastResort() {
        Map<String, String> env = Map.of(DatabasePasswords.ENVIRONMENT_VARIABLE, "from-env");
        assertThat(DatabasePasswords.password("given", null, env)).isEqualTo("given");
        assertThat(DatabasePasswords.password(null, null, env)).isEqualTo("from-env");
        assertThat(DatabasePasswords.password(null, null, NO_ENV)).isNull();
    }

    @Test
    void bothOrAnUnreadableFileAreClearErrors() {
        assertThatThrownBy(() -> DatabasePasswords.password("x", "/some/file", NO_ENV))
                .isInstanceOf(CdcSetupException.class)
                .hasMessageContaining("password or password-file, not both");
        assertThatThrownBy(
                        () ->
                                DatabasePasswords.password(
                                        null, dir.resolve("missing").toString(), NO_ENV))
                .isInstanceOf(CdcSetupException.class)
                .hasMessageContaining("password-file")
                .hasMessageContaining("cannot be read");
    }

    @Test
    void resolveSetsThePasswordAndDropsTheFileOption() throws Exception {
        Path file = Files.writeString(dir.resolve("pw"), "s3cret\n");
        Configuration conf = new Configuration();
        conf.setString("password-file", file.toString());
        DatabasePasswords.resolve(conf, NO_ENV);
        assertThat(conf.getString("password", null)).isEqualTo("s3cret");
        assertThat(conf.containsKey("password-file")).isFalse();
    }
}
