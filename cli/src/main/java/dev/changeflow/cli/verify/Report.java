package dev.changeflow.cli.verify;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;

/** Writes verification results: a table for people, or JSON for scripts. */
public final class Report {

    private static final ObjectMapper JSON =
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** Keys print on one line, as in {@code different {"id":17}}. */
    private static final ObjectMapper KEYS = new ObjectMapper();

    private static final String ROW = "%-28s %-13s %9s %9s %8s %6s %9s %10s  %s%n";

    private Report() {}

    public static boolean ok(List<Result> results) {
        return results.stream().allMatch(Result::ok);
    }

    public static void table(List<Result> results, PrintStream out) {
        table(results, out, "");
    }

    /** The table with every line indented by {@code indent}. */
    public static void table(List<Result> results, PrintStream out, String indent) {
        out.printf(
                indent + ROW,
                "table",
                "sink",
                "database",
                "sink",
                "missing",
                "extra",
                "different",
                "too recent",
                "");
        for (Result r : results) {
            out.printf(
                    indent + ROW,
                    r.table(),
                    r.sink(),
                    r.databaseRows(),
                    r.sinkRows(),
                    r.missing(),
                    r.extra(),
                    r.different(),
                    r.tooRecent(),
                    r.ok() ? "ok" : "DIFFERS");
        }
        for (Result r : results) {
            if (r.rows().isEmpty() && r.unreadable() == 0) {
                continue;
            }
            out.println();
            out.printf(indent + "%s vs %s (%s):%n", r.table(), r.sink(), r.target());
            if (r.unreadable() > 0) {
                out.printf(indent + "  %d records are not rows of the table%n", r.unreadable());
            }
            for (Result.Difference d : r.rows()) {
                out.printf(
                        indent + "  %-9s %s%s%n",
                        d.kind().word(),
                        keyText(d.key()),
                        d.tooRecent() ? "  (changed while verifying: too recent to judge)" : "");
                for (Result.ColumnDifference c : d.columns()) {
                    out.printf(
                            indent + "            %s: database %s, sink %s%n",
                            c.column(),
                            quoted(c.database()),
                            quoted(c.sink()));
                }
            }
            long listed = r.rows().size();
            long found = r.missing() + r.extra() + r.different() + r.tooRecent();
            if (found > listed) {
                out.printf(indent + "  ... and %d more%n", found - listed);
            }
        }
    }

    public static void json(List<Result> results, PrintStream out) {
        ObjectNode root = JSON.createObjectNode();
        root.put("ok", ok(results));
        ArrayNode list = root.putArray("results");
        for (Result r : results) {
            ObjectNode node = JSON.valueToTree(r);
            node.put("ok", r.ok());
            list.add(node);
        }
        try {
            out.println(JSON.writeValueAsString(root));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String keyText(Map<String, Object> key) {
        try {
            return KEYS.writeValueAsString(key);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return key.toString();
        }
    }

    private static String quoted(String value) {
        return value == null ? "(none)" : "\"" + value + "\"";
    }
}
