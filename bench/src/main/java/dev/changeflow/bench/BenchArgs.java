package dev.changeflow.bench;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The benchmarks' {@code --key value} arguments: flags that stand for several values ({@code
 * --quick}), reads that remember which keys an options class used, so an unknown (misspelt) key is
 * reported without a second list of the known ones.
 */
final class BenchArgs {

    private final Map<String, String> given;
    private final Set<String> used = new HashSet<>();

    private BenchArgs(Map<String, String> given) {
        this.given = given;
    }

    /**
     * @param flags arguments without a value, each standing for the entries it maps to (given
     *     values win over a flag's)
     * @param help thrown for {@code --help} / {@code -h}
     */
    static BenchArgs parse(
            String[] args,
            Map<String, Map<String, String>> flags,
            Supplier<RuntimeException> help) {
        Map<String, String> given = new LinkedHashMap<>();
        Map<String, String> fromFlags = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--help") || arg.equals("-h")) {
                throw help.get();
            }
            if (flags.containsKey(arg)) {
                fromFlags.putAll(flags.get(arg));
                continue;
            }
            if (!arg.startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --key value, got '" + arg + "'");
            }
            given.put(arg.substring(2), args[++i]);
        }
        fromFlags.forEach(given::putIfAbsent);
        return new BenchArgs(given);
    }

    /** The value of {@code key}, or {@code fallback}. */
    String get(String key, String fallback) {
        used.add(key);
        return given.getOrDefault(key, fallback);
    }

    /** The value of {@code key}, or null. */
    String get(String key) {
        return get(key, null);
    }

    /** The entries whose key starts with {@code prefix}, the prefix cut off. */
    Map<String, String> withPrefix(String prefix) {
        Map<String, String> entries = new LinkedHashMap<>();
        given.forEach(
                (key, value) -> {
                    if (key.startsWith(prefix)) {
                        used.add(key);
                        entries.put(key.substring(prefix.length()), value);
                    }
                });
        return entries;
    }

    /** Fails naming the keys no read asked for. */
    void rejectUnknown(String help) {
        Set<String> unknown = new java.util.LinkedHashSet<>(given.keySet());
        unknown.removeAll(used);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown option(s) " + unknown + "\n" + help);
        }
    }
}
