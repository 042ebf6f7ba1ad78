package dev.changeflow.bench;

import java.util.List;
import java.util.Locale;

/** The median and the range of the figures of repeated runs. */
record Spread(double median, double min, double max) {

    static Spread of(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        double median =
                n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
        return new Spread(median, sorted.get(0), sorted.get(n - 1));
    }

    /** {@code median (min - max)}, each in {@code number}'s format. */
    String format(String number) {
        return String.format(Locale.ROOT, number, median)
                + " ("
                + String.format(Locale.ROOT, number, min)
                + " - "
                + String.format(Locale.ROOT, number, max)
                + ")";
    }
}
