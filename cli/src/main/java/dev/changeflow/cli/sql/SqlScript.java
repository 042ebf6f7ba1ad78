package dev.changeflow.cli.sql;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Flink SQL script split into statements the way Flink's SQL client splits it: on semicolons
 * outside {@code --} and {@code /* *}{@code /} comments, {@code '...'} strings and {@code "..."} /
 * {@code `...`} identifiers, with an {@code EXECUTE STATEMENT SET BEGIN ... END;} block kept as one
 * statement. Comments are dropped; each statement remembers the line it starts on. {@code ${VAR}}
 * placeholders are substituted after splitting, so a value may hold any character.
 */
public final class SqlScript {

    /** One statement of a script, without its terminating semicolon. */
    public record Statement(int line, String text) {}

    /** A script that cannot run as written (an unset variable, an unterminated block). */
    public static final class ScriptException extends Exception {
        public ScriptException(String message) {
            super(message);
        }
    }

    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");
    private static final Pattern STATEMENT_SET =
            Pattern.compile("^EXECUTE\\s+STATEMENT\\s+SET\\s+BEGIN\\b.*", Pattern.DOTALL);
    private static final Pattern ENDS_WITH_END = Pattern.compile(".*\\bEND\\s*$", Pattern.DOTALL);

    private SqlScript() {}

    /** Splits a script into statements (blank ones dropped). */
    public static List<Statement> split(String script) throws ScriptException {
        List<Statement> statements = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        int line = 1;
        int startLine = -1;
        int n = script.length();
        for (int i = 0; i < n; i++) {
            char c = script.charAt(i);
            char next = i + 1 < n ? script.charAt(i + 1) : '\0';
            if (c == '-' && next == '-') {
                while (i < n && script.charAt(i) != '\n') {
                    i++;
                }
                if (i < n) {
                    current.append('\n');
                    line++;
                }
                continue;
            }
            if (c == '/' && next == '*') {
                int end = script.indexOf("*/", i + 2);
                if (end < 0) {
                    throw new ScriptException("line " + line + ": unterminated /* comment");
                }
                for (int j = i; j < end; j++) {
                    if (script.charAt(j) == '\n') {
                        current.append('\n');
                        line++;
                    }
                }
                current.append(' ');
                i = end + 1;
                continue;
            }
            if (c == '\'' || c == '"' || c == '`') {
                if (startLine < 0) {
                    startLine = line;
                }
                int quoteLine = line;
                current.append(c);
                int j = i + 1;
                while (true) {
                    if (j >= n) {
                        throw new ScriptException(
                                "line " + quoteLine + ": unterminated " + c + " quote");
                    }
                    char q = script.charAt(j);
                    current.append(q);
                    if (q == '\n') {
                        line++;
                    }
                    if (q == c) {
                        // a doubled quote is an escaped quote inside the literal
                        if (j + 1 < n && script.charAt(j + 1) == c) {
                            current.append(c);
                            j += 2;
                            continue;
                        }
                        break;
                    }
                    j++;
                }
                i = j;
                continue;
            }
            if (c == ';') {
                String text = current.toString().strip();
                String upper = text.toUpperCase(Locale.ROOT);
                if (STATEMENT_SET.matcher(upper).matches()
                        && !ENDS_WITH_END.matcher(upper).matches()) {
                    current.append(c);
                    continue;
                }
                if (!text.isEmpty()) {
                    statements.add(new Statement(startLine, text));
                }
                current.setLength(0);
                startLine = -1;
                continue;
            }
            if (c == '\n') {
                line++;
            } else if (startLine < 0 && !Character.isWhitespace(c)) {
                startLine = line;
            }
            current.append(c);
        }
        String rest = current.toString().strip();
        if (!rest.isEmpty()) {
            if (STATEMENT_SET.matcher(rest.toUpperCase(Locale.ROOT)).matches()) {
                throw new ScriptException(
                        "line " + startLine + ": EXECUTE STATEMENT SET BEGIN has no END;");
            }
            statements.add(new Statement(startLine, rest));
        }
        return statements;
    }

    /**
     * Replaces every {@code ${VAR}} with {@code values.apply(VAR)}; a variable without a value is
     * an error naming it and its line.
     */
    public static List<Statement> substitute(
            List<Statement> statements, Function<String, String> values) throws ScriptException {
        List<Statement> result = new ArrayList<>(statements.size());
        for (Statement statement : statements) {
            Matcher m = VARIABLE.matcher(statement.text());
            StringBuilder text = new StringBuilder();
            while (m.find()) {
                String value = values.apply(m.group(1));
                if (value == null) {
                    int line =
                            statement.line()
                                    + (int)
                                            statement
                                                    .text()
                                                    .substring(0, m.start())
                                                    .chars()
                                                    .filter(ch -> ch == '\n')
                                                    .count();
                    throw new ScriptException(
                            "line "
                                    + line
                                    + ": variable ${"
                                    + m.group(1)
                                    + "} is not set: pass --var "
                                    + m.group(1)
                                    + "=... or export "
                                    + m.group(1));
                }
                m.appendReplacement(text, Matcher.quoteReplacement(value));
            }
            m.appendTail(text);
            result.add(new Statement(statement.line(), text.toString()));
        }
        return result;
    }
}
