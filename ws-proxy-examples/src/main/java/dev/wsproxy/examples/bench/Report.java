package dev.wsproxy.examples.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The benchmark's markdown: one row per metric, one column per target, each cell the median and (when nginx
 * ran) its ratio to nginx's median; then the issue-14 targets checked for the tunnel-mode columns; then every
 * repetition. Stateless.
 */
final class Report {

    private static final List<String> ORDER = List.of(Measurements.P50, Measurements.P99, Measurements.P999,
            Measurements.THROUGHPUT, Measurements.CPU_PER_MESSAGE, Measurements.KERNEL_SHARE,
            Measurements.BULK, Measurements.CPU_PER_GB,
            Measurements.HANDSHAKES, Measurements.CPU_PER_HANDSHAKE, Measurements.HANDSHAKES_WARM,
            Measurements.CPU_PER_HANDSHAKE_WARM, Measurements.JIT_WARM, Measurements.HELD, Measurements.RSS,
            Measurements.HEAP);

    private Report() {
    }

    static String markdown(Map<String, Map<String, List<Double>>> results, List<String> targets, List<String> notes,
                           BenchOptions options, Duration took) {
        StringBuilder out = new StringBuilder();
        boolean nginx = targets.contains(Target.NGINX);
        out.append("\n## Results (median of ").append(options.reps).append(" runs per target")
                .append(nginx ? "; in parentheses: the ratio to nginx" : "").append(")\n\n");
        out.append("| metric |");
        targets.forEach(t -> out.append(' ').append(t).append(" |"));
        out.append("\n|---|");
        targets.forEach(t -> out.append("---:|"));
        out.append('\n');
        for (String metric : ordered(results)) {
            Map<String, List<Double>> byTarget = results.get(metric);
            out.append("| ").append(metric).append(" |");
            for (String t : targets) {
                List<Double> values = byTarget.get(t);
                out.append(' ');
                if (values == null) {
                    out.append('–');
                } else {
                    out.append(format(median(values)));
                    List<Double> reference = byTarget.get(Target.NGINX);
                    if (nginx && !t.equals(Target.NGINX) && reference != null && median(reference) != 0) {
                        out.append(String.format(Locale.ROOT, " (%.2f×)", median(values) / median(reference)));
                    }
                }
                out.append(" |");
            }
            out.append('\n');
        }
        out.append("\nLatency, CPU and memory: lower is better; throughput, bulk and handshakes/s: higher is better."
                + " CPU per message: the proxy's processes' user + system time over the measuring window divided by"
                + " the messages echoed in it (each passes the proxy twice).\n");
        if (nginx) {
            out.append(Targets.check(results, targets));
        }
        out.append(Targets.metricsCost(results, targets));
        out.append("\nEvery repetition (target: values):\n\n");
        for (String metric : ordered(results)) {
            out.append("- ").append(metric).append(": ");
            List<String> parts = new ArrayList<>();
            results.get(metric).forEach((t, v) -> parts.add(t + " " + v.stream().map(Report::format).toList()));
            out.append(String.join("; ", parts)).append('\n');
        }
        for (String note : notes) {
            out.append("\nNote: ").append(note).append('\n');
        }
        out.append(String.format(Locale.ROOT, "\nFlags: %s; took %d s.%n",
                options.given.isEmpty() ? "(none)" : String.join(" ", options.given), took.toSeconds()));
        return out.toString();
    }

    private static List<String> ordered(Map<String, Map<String, List<Double>>> results) {
        List<String> metrics = new ArrayList<>();
        ORDER.stream().filter(results::containsKey).forEach(metrics::add);
        results.keySet().stream().filter(m -> !metrics.contains(m)).forEach(metrics::add);
        return metrics;
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
        if (Math.abs(v) >= 10) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        return String.format(Locale.ROOT, "%.2f", v);
    }
}
