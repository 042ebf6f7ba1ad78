package dev.changeflow.jobs.conformance;

import dev.changeflow.jobs.conformance.Workload.Version;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.math.BigDecimal;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.Comparator;

/**
 * The JSON row every capture method must write for a {@link Version}, rendered here from the rules
 * of {@code common-schemas/TYPES.md} and not by the production encoder, so an encoder bug cannot
 * agree with itself. {@code updated_at} is the database's own time: it is checked against the
 * table, not rendered.
 */
final class ExpectedRows {

    static final String UPDATED_AT = "updated_at";

    private static final JsonNodeFactory NODES = JsonNodeFactory.withExactBigDecimals(true);
    private static final DateTimeFormatter SECONDS =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    /**
     * Numbers equal when their decimal digits and scale are (5 = 5, 12.50 = 12.50 but not 12.5),
     * everything else by JSON equality; for {@link JsonNode#equals(Comparator, JsonNode)}.
     */
    static final Comparator<JsonNode> SAME_JSON =
            (a, b) -> {
                if (a.isNumber() && b.isNumber()) {
                    return a.decimalValue().equals(b.decimalValue()) ? 0 : 1;
                }
                return a.equals(b) ? 0 : 1;
            };

    private ExpectedRows() {}

    /** Every column of the row but {@code updated_at}, as the envelope must carry it. */
    static ObjectNode row(Version v) {
        int i = v.i();
        ObjectNode row = NODES.objectNode();
        row.put("id", v.id());
        row.put("name", v.name());
        row.put("qty", v.qty());
        if (Workload.hasNulls(i)) {
            for (String column :
                    new String[] {
                        "small",
                        "price",
                        "ratio",
                        "active",
                        "born",
                        "seen_local",
                        "seen_at",
                        "data",
                        "ref",
                        "doc"
                    }) {
                row.putNull(column);
            }
            return row;
        }
        row.put("small", Workload.small(i));
        row.put("price", Workload.price(i)); // exact, scale 2
        row.put("ratio", new BigDecimal(Double.toString(Workload.ratio(i)))); // shortest form
        row.put("active", Workload.active(i));
        row.put("born", Workload.born(i).toString()); // yyyy-MM-dd
        row.put("seen_local", timestamp(Workload.seenLocal(i)));
        row.put("seen_at", timestampUtc(Workload.seenAt(i)));
        row.put("data", Base64.getEncoder().encodeToString(Workload.data(i)));
        row.put("ref", Workload.ref(i));
        row.put("doc", Workload.doc(i)); // the document's text, as a JSON string
        return row;
    }

    /** {@code row} without {@code updated_at}, for comparing with {@link #row(Version)}. */
    static JsonNode withoutUpdatedAt(JsonNode row) {
        ObjectNode copy = ((ObjectNode) row).deepCopy();
        copy.remove(UPDATED_AT);
        return copy;
    }

    /** {@code yyyy-MM-dd HH:mm:ss[.f]}: the fraction only when non-zero, without trailing zeros. */
    static String timestamp(LocalDateTime t) {
        String text = t.format(SECONDS);
        int micros = t.getNano() / 1000;
        if (micros == 0) {
            return text;
        }
        String fraction = String.format("%06d", micros).replaceAll("0+$", "");
        return text + "." + fraction;
    }

    /** An instant as {@link #timestamp} in UTC, with a trailing {@code Z}. */
    static String timestampUtc(OffsetDateTime t) {
        return timestamp(t.withOffsetSameInstant(ZoneOffset.UTC).toLocalDateTime()) + "Z";
    }
}
