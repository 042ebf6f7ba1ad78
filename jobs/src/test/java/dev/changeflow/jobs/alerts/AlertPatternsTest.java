package dev.changeflow.jobs.alerts;

import dev.changeflow.jobs.analytics.AnalyticsJob;
import dev.changeflow.jobs.sources.KafkaChange;
import dev.changeflow.schemas.DeadLetter;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.api.java.typeutils.EitherTypeInfo;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Either;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The alerts job's patterns and rules on the bounded {@link FraudScenario}: exactly the alerts it
 * lists, with their matched events, ids and messages; the rule change and the delete take effect at
 * their event times; the bad rule row and the bad order are dead letters.
 */
class AlertPatternsTest {

    @RegisterExtension
    static final MiniClusterExtension FLINK = dev.changeflow.jobs.MiniClusters.withSlots(2);

    static final Map<String, Queue<Object>> COLLECTED = new ConcurrentHashMap<>();

    @Test
    void theScenarioRaisesExactlyItsAlerts() throws Exception {
        FraudScenario scenario = FraudScenario.build();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        // every type on Flink's own serializers (Kryo cannot build records)
        env.getConfig().disableGenericTypes();
        new AlertsJob(
                        replay(scenario.orders()),
                        replay(scenario.rules()),
                        List.of(AnalyticsJob.Output.of("collect-alerts", new Collect<>("alerts"))),
                        new Collect<>("dead-letters"),
                        new AlertsJob.Settings(
                                Duration.ofMinutes(1),
                                Duration.ofSeconds(5),
                                Duration.ofHours(1),
                                0,
                                Duration.ofSeconds(10),
                                0))
                .build(env);
        env.execute("alert patterns");

        List<Alert> alerts = collected("alerts");
        assertThat(alerts)
                .extracting(FraudScenario::summary)
                .containsExactlyInAnyOrderElementsOf(FraudScenario.EXPECTED);
        Alert cardTesting = find(alerts, "ct");
        assertThat(cardTesting.kind()).isEqualTo("card_testing");
        assertThat(cardTesting.amountCents()).isEqualTo(50_300);
        assertThat(cardTesting.eventTimeMs()).isEqualTo(FraudScenario.T0 + 30_000);
        assertThat(cardTesting.message())
                .isEqualTo(
                        "3 small orders (at most 500 cents) then one of 50000 cents within 30 s");
        assertThat(cardTesting.alertId()).matches("ct:1:101-104:[0-9a-f]{8}");
        assertThat(find(alerts, "cap").message())
                .isEqualTo("order 301 cancelled 20 s after it was paid");
        assertThat(alerts).extracting(Alert::alertId).doesNotHaveDuplicates();

        List<DeadLetter> deadLetters = collected("dead-letters");
        assertThat(deadLetters)
                .extracting(DeadLetter::reason)
                .containsExactlyInAnyOrder(
                        "rule 'odd': kind 'bogus' is not card_testing, velocity or cancel_after_pay",
                        "order field 'amount' must be a number with at most 2 decimals, got 'a lot'");
    }

    @Test
    void aRuleVersionAppliesFromItsValidFrom() {
        FraudRule five = new FraudRule("vel", FraudRule.Kind.VELOCITY, 5, 0, 0, 60_000, 0);
        FraudRule three = new FraudRule("vel", FraudRule.Kind.VELOCITY, 3, 0, 0, 60_000, 600);
        List<RuleChange> versions =
                List.of(
                        new RuleChange("vel", five, 0),
                        new RuleChange("vel", three, 600),
                        new RuleChange("vel", null, 1200));
        assertThat(AttachRules.validAt(versions, -1)).isNull();
        assertThat(AttachRules.validAt(versions, 599)).isEqualTo(five);
        assertThat(AttachRules.validAt(versions, 600)).isEqualTo(three);
        assertThat(AttachRules.validAt(versions, 1200)).isNull();
    }

    private static Alert find(List<Alert> alerts, String rule) {
        return alerts.stream().filter(a -> a.ruleId().equals(rule)).findFirst().orElseThrow();
    }

    @SuppressWarnings("unchecked")
    private static <T> List<T> collected(String name) {
        return (List<T>) List.copyOf(COLLECTED.getOrDefault(name, new ConcurrentLinkedQueue<>()));
    }

    /** The inputs of the replays, by name (a source's function is serialized, the input not). */
    static final Map<String, List<KafkaChange>> INPUTS = new ConcurrentHashMap<>();

    static DataGeneratorSource<Either<DeadLetter, KafkaChange>> replay(List<KafkaChange> input) {
        String name = "input-" + INPUTS.size();
        INPUTS.put(name, input);
        return new DataGeneratorSource<>(
                index -> Either.Right(INPUTS.get(name).get(index.intValue())),
                input.size(),
                new EitherTypeInfo<>(
                        TypeInformation.of(DeadLetter.class),
                        TypeInformation.of(KafkaChange.class)));
    }

    /** Collects what reaches it into {@link #COLLECTED} under a name. */
    static final class Collect<T> implements Sink<T> {
        private final String name;

        Collect(String name) {
            this.name = name;
            COLLECTED.put(name, new ConcurrentLinkedQueue<>());
        }

        @Override
        @SuppressWarnings("deprecation")
        public SinkWriter<T> createWriter(InitContext context) {
            return writer();
        }

        @Override
        public SinkWriter<T> createWriter(WriterInitContext context) {
            return writer();
        }

        private SinkWriter<T> writer() {
            return new SinkWriter<>() {
                @Override
                public void write(T element, Context context) {
                    COLLECTED.get(name).add(element);
                }

                @Override
                public void flush(boolean endOfInput) {}

                @Override
                public void close() {}
            };
        }
    }
}
