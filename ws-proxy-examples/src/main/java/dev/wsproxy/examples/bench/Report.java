package dev.wsproxy.examples.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The benchmark's markdown: one row per metric, one column per target, then the ratios. */
final class Report {

    private Report() {
    }

    static String markdown(Map<String, Map<String, List<Double>>> results, List<String> targets, List<String> notes,
                           BenchOptions options, Duration took) {
        StringBuilder out = new StringBuilder();
        out.append("\n## Results (median of ").append(options.reps).append(" runs per target)\n\n");
        List<String[]> ratios = new ArrayList<>();
        if (targets.contains(Benchmark.PROXY) && targets.contains(Benchmark.DIRECT)) {
            ratios.add(new String[] {Benchmark.PROXY, Benchmark.DIRECT});
        }
        if (targets.contains(Benchmark.PROXY) && targets.contains(Benchmark.NGINX)) {
            ratios.add(new String[] {Benchmark.PROXY, Benchmark.NGINX});
        }
        if (targets.contains(Benchmark.NGINX) && targets.contains(Benchmark.DIRECT)) {
            ratios.add(new String[] {Benchmark.NGINX, Benchmark.DIRECT});
        }
        out.append("| metric |");
        targets.forEach(t -> out.append(' ').append(t).append(" |"));
        ratios.forEach(r -> out.append(' ').append(r[0]).append(" / ").append(r[1]).append(" |"));
        out.append("\n|---|");
        targets.forEach(t -> out.append("---:|"));
        ratios.forEach(r -> out.append("---:|"));
        out.append('\n');
        for (Map.Entry<String, Map<String, List<Double>>> metric : results.entrySet()) {
            out.append("| ").append(metric.getKey()).append(" |");
            for (String t : targets) {
                List<Double> values = metric.getValue().get(t);
                out.append(' ').append(values == null ? "–" : format(median(values))).append(" |");
            }
            for (String[] r : ratios) {
                List<Double> a = metric.getValue().get(r[0]);
                List<Double> b = metric.getValue().get(r[1]);
                out.append(' ');
                if (a == null || b == null || median(b) == 0) {
                    out.append('–');
                } else {
                    out.append(String.format(Locale.ROOT, "%.2f×", median(a) / median(b)));
                }
                out.append(" |");
            }
            out.append('\n');
        }
        out.append("\nLatency and memory: lower is better; throughput, bulk and handshakes/s: higher is better.\n");
        out.append("Every repetition (target: values):\n\n");
        for (Map.Entry<String, Map<String, List<Double>>> metric : results.entrySet()) {
            out.append("- ").append(metric.getKey()).append(": ");
            List<String> parts = new ArrayList<>();
            metric.getValue().forEach((t, v) -> parts.add(t + " " + v.stream().map(Report::format).toList()));
            out.append(String.join("; ", parts)).append('\n');
        }
        for (String note : notes) {
            out.append("\nNote: ").append(note).append('\n');
        }
        out.append(String.format(Locale.ROOT, "\nFlags: %s; took %d s.%n", String.join(" ", options.given),
                took.toSeconds()));
        return out.toString();
    }

    static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    static String format(double v) {
        if (Math.abs(v) >= 1000) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        if (Math.abs(v) >= 100 || v == Math.rint(v)) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        return String.format(Locale.ROOT, "%.1f", v);
    }
}
