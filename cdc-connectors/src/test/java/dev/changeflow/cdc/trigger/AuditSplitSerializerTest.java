package dev.changeflow.cdc.trigger;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The split/enumerator serializers and the positions and status text they carry. */
class AuditSplitSerializerTest {

    @Test
    void splitsRoundTrip() throws IOException {
        for (AuditSplit split :
                List.of(
                        new AuditSplit(null, true),
                        new AuditSplit(null, false),
                        new AuditSplit("742:750:744,748", false),
                        new AuditSplit("742:750:744,748|760:760:|12345", false),
                        new AuditSplit("41;43,47", false))) {
            byte[] bytes = AuditSplitSerializer.INSTANCE.serialize(split);
            assertThat(
                            AuditSplitSerializer.INSTANCE.deserialize(
                                    AuditSplitSerializer.INSTANCE.getVersion(), bytes))
                    .isEqualTo(split);
        }
    }

    @Test
    void enumeratorStateRoundTrips() throws IOException {
        var serializer = AuditSplitSerializer.EnumeratorState.INSTANCE;
        for (List<AuditSplit> state :
                List.of(List.<AuditSplit>of(), List.of(new AuditSplit("5:5:", false)))) {
            assertThat(serializer.deserialize(1, serializer.serialize(state))).isEqualTo(state);
        }
    }

    @Test
    void unknownVersionsAreRejected() {
        assertThatThrownBy(() -> AuditSplitSerializer.INSTANCE.deserialize(2, new byte[] {0, 0}))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("version 2");
    }

    @Test
    void postgresPositionsParseAndPrint() {
        var done = PostgresTriggerDialect.Position.parse("742:750:744,748");
        assertThat(done.range()).isNull();
        assertThat(done.toString()).isEqualTo("742:750:744,748");
        var reading = PostgresTriggerDialect.Position.parse("742:750:744|760:760:|99");
        assertThat(reading.done()).isEqualTo("742:750:744");
        assertThat(reading.range()).isEqualTo("760:760:");
        assertThat(reading.lastId()).isEqualTo(99);
        assertThat(reading.toString()).isEqualTo("742:750:744|760:760:|99");
    }

    @Test
    void openTransactionsComeFromTheInnodbStatusTransactionsSection() {
        String status =
                "=====\nSEMAPHORES\n---TRANSACTION 1, ACTIVE 1 sec\n------------\n"
                        + "TRANSACTIONS\n------------\nTrx id counter 60\n"
                        + "---TRANSACTION 421590837352280, not started\n"
                        + "---TRANSACTION 57, ACTIVE 3 sec\n1 lock struct(s)\n"
                        + "---TRANSACTION 58, ACTIVE (PREPARED) 1 sec\n"
                        + "--------\nFILE I/O\n";
        assertThat(MySqlTriggerDialect.parseOpenTransactions(status)).isEqualTo(Set.of("57", "58"));
        assertThat(MySqlTriggerDialect.parseOpenTransactions(status + "...truncated...\n"))
                .isNull();
    }

    @Test
    void jsonbIsWrittenAsPostgresPrintsIt() throws Exception {
        String text = "{\"a\": [1, 2.50, null, true], \"b\": {\"c\": \"x\\\"\\n\\u0001\"}}";
        assertThat(JsonbText.render(TriggerRows.MAPPER.readTree(text))).isEqualTo(text);
    }
}
