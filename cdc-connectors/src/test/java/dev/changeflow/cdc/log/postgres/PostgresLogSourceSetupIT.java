package dev.changeflow.cdc.log.postgres;

import dev.changeflow.cdc.log.CdcSetupException;
import dev.changeflow.cdc.log.RunningJob;
import dev.changeflow.localstack.LocalStack;
import dev.changeflow.localstack.Service;
import dev.changeflow.localstack.junit.LocalStackTest;
import dev.changeflow.localstack.server.PostgresServer;
import dev.changeflow.schemas.ChangeEvent;
import dev.changeflow.schemas.Op;

import org.apache.flink.test.junit5.MiniClusterExtension;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.Connection;
import java.time.Duration;

import static dev.changeflow.cdc.log.postgres.PostgresItSupport.exec;
import static dev.changeflow.cdc.log.postgres.PostgresItSupport.query;
import static dev.changeflow.cdc.log.postgres.PostgresItSupport.resetSlot;
import static dev.changeflow.cdc.log.postgres.PostgresItSupport.source;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What {@link PostgresLogSource} needs from the server and the user: each missing piece fails
 * {@code build()} naming it, and a user with only those privileges streams.
 */
@LocalStackTest(services = Service.POSTGRES)
class PostgresLogSourceSetupIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @RegisterExtension static final MiniClusterExtension MINI_CLUSTER = RunningJob.miniCluster();

    /** A table owned by the superuser and a fresh role with LOGIN and REPLICATION. */
    private static void tableAndRole(PostgresServer postgres, String table, String role)
            throws Exception {
        try (Connection c = postgres.connect()) {
            exec(
                    c,
                    "DROP TABLE IF EXISTS " + table,
                    "DROP ROLE IF EXISTS " + role,
                    "CREATE TABLE " + table + " (id int PRIMARY KEY, v text)",
                    "ALTER TABLE " + table + " REPLICA IDENTITY FULL",
                    "INSERT INTO " + table + " VALUES (1, 'one')",
                    "CREATE ROLE " + role + " LOGIN REPLICATION");
        }
    }

    @Test
    void userWithoutSelectOnTheTableFailsFast(PostgresServer postgres) throws Exception {
        tableAndRole(postgres, "public.it_nosel", "it_nosel_user");
        assertThatThrownBy(
                        () ->
                                source(postgres, "public.it_nosel", "it_nosel_slot")
                                        .username("it_nosel_user")
                                        .build())
                .isInstanceOf(CdcSetupException.class)
                .hasMessageContaining("'it_nosel_user' lacks SELECT")
                .hasMessageContaining(
                        "GRANT SELECT ON \"public\".\"it_nosel\" TO \"it_nosel_user\"");
    }

    @Test
    void userWhoMayNotCreateThePublicationFailsFast(PostgresServer postgres) throws Exception {
        tableAndRole(postgres, "public.it_nopub", "it_nopub_user");
        try (Connection c = postgres.connect()) {
            exec(
                    c,
                    "DROP PUBLICATION IF EXISTS it_nopub_slot_pub",
                    "GRANT SELECT ON public.it_nopub TO it_nopub_user");
        }
        assertThatThrownBy(
                        () ->
                                source(postgres, "public.it_nopub", "it_nopub_slot")
                                        .username("it_nopub_user")
                                        .build())
                .isInstanceOf(CdcSetupException.class)
                .hasMessageContaining(
                        "'it_nopub_user' may not set up publication 'it_nopub_slot_pub'")
                .hasMessageContaining("CREATE on database '" + postgres.database() + "'")
                .hasMessageContaining("ownership of table(s) public.it_nopub")
                .hasMessageContaining(
                        "CREATE PUBLICATION \"it_nopub_slot_pub\" FOR TABLE \"public\".\"it_nopub\"")
                .hasMessageContaining("'publication.name'");
    }

    @Test
    void userWhoMayNotAddTablesToAnExistingPublicationFailsFast(PostgresServer postgres)
            throws Exception {
        tableAndRole(postgres, "public.it_addpub", "it_addpub_user");
        try (Connection c = postgres.connect()) {
            exec(
                    c,
                    "DROP TABLE IF EXISTS public.it_addpub_other",
                    "CREATE TABLE public.it_addpub_other (id int PRIMARY KEY)",
                    "DROP PUBLICATION IF EXISTS it_addpub_slot_pub",
                    "CREATE PUBLICATION it_addpub_slot_pub FOR TABLE public.it_addpub_other",
                    "GRANT SELECT ON public.it_addpub TO it_addpub_user");
        }
        assertThatThrownBy(
                        () ->
                                source(postgres, "public.it_addpub", "it_addpub_slot")
                                        .username("it_addpub_user")
                                        .build())
                .isInstanceOf(CdcSetupException.class)
                .hasMessageContaining("ownership of publication 'it_addpub_slot_pub'")
                .hasMessageContaining("ownership of table(s) public.it_addpub")
                .hasMessageContaining(
                        "ALTER PUBLICATION \"it_addpub_slot_pub\" ADD TABLE \"public\".\"it_addpub\"");
    }

    /**
     * The least a user needs once the tables' owner has created the publication: LOGIN, REPLICATION
     * and SELECT on the captured tables.
     */
    @Test
    void userWithReplicationAndSelectStreamsFromAPublicationOfTheOwner(PostgresServer postgres)
            throws Exception {
        String slot = "it_least_slot";
        tableAndRole(postgres, "public.it_least", "it_least_user");
        try (Connection c = postgres.connect()) {
            resetSlot(c, slot);
            exec(
                    c,
                    "DROP PUBLICATION IF EXISTS it_least_slot_pub",
                    "CREATE PUBLICATION it_least_slot_pub FOR TABLE public.it_least",
                    "GRANT SELECT ON public.it_least TO it_least_user");
        }
        try (RunningJob job =
                        RunningJob.start(
                                source(postgres, "public.it_least", slot)
                                        .username("it_least_user")
                                        .build());
                Connection c = postgres.connect()) {
            assertThat(job.take(1, TIMEOUT)).extracting(ChangeEvent::op).containsExactly(Op.READ);
            exec(c, "UPDATE public.it_least SET v = 'uno' WHERE id = 1");
            assertThat(job.take(1, TIMEOUT))
                    .extracting(ChangeEvent::op, e -> e.after().get("v"))
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(Op.UPDATE, "uno"));
            assertThat(
                            query(
                                    c,
                                    "SELECT slot_name FROM pg_replication_slots WHERE slot_name = ?",
                                    slot))
                    .isEqualTo(slot);
        } finally {
            try (Connection c = postgres.connect()) {
                resetSlot(c, slot);
            }
        }
    }

    /** A second, short-lived server with {@code wal_level = replica}. */
    @Test
    void serverWithoutLogicalWalFailsFast(LocalStack stack) throws Exception {
        try (PostgresServer replica =
                new PostgresServer(stack.baseDir().resolve("postgres-wal-replica"))
                        .setting("wal_level", "replica")) {
            replica.start();
            try (Connection c = replica.connect()) {
                assertThat(query(c, "SHOW wal_level")).isEqualTo("replica");
                exec(c, "CREATE TABLE public.it_wal (id int PRIMARY KEY)");
            }
            assertThatThrownBy(() -> source(replica, "public.it_wal", "it_wal_slot").build())
                    .isInstanceOf(CdcSetupException.class)
                    .hasMessageContaining("wal_level = 'replica'")
                    .hasMessageContaining("wal_level = logical");
        }
    }
}
