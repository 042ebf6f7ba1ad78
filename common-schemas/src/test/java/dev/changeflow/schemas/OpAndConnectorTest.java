package dev.changeflow.schemas;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OpAndConnectorTest {

    @Test
    void opCodesAreDebeziums() {
        assertThat(Arrays.stream(Op.values()).map(Op::code)).containsExactly("r", "c", "u", "d");
        for (Op op : Op.values()) {
            assertThat(Op.fromCode(op.code())).isEqualTo(op);
        }
        assertThat(Arrays.stream(Op.values()).filter(Op::hasAfter))
                .containsExactly(Op.READ, Op.CREATE, Op.UPDATE);
        assertThat(Arrays.stream(Op.values()).filter(Op::hasBefore))
                .containsExactly(Op.UPDATE, Op.DELETE);
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"C", "x", "rr", " r", "create"})
    void rejectsAnythingButTheFourCodes(String code) {
        assertThatThrownBy(() -> Op.fromCode(code))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageEndingWith("expected one of r, c, u, d")
                .hasMessageStartingWith("unknown op " + (code == null ? "null" : "'" + code + "'"));
    }

    @Test
    void connectorsAreLowerCaseInJson() {
        assertThat(Arrays.stream(Connector.values()).map(Connector::jsonName))
                .containsExactly("log", "trigger", "query");
        for (Connector connector : Connector.values()) {
            assertThat(Connector.fromJsonName(connector.jsonName())).isEqualTo(connector);
        }
        assertThatThrownBy(() -> Connector.fromJsonName("LOG"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown connector 'LOG', expected one of log, trigger, query");
    }
}
