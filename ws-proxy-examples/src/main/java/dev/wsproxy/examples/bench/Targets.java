package dev.wsproxy.examples.bench;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The performance targets of issue 14 for tunnel mode (Jetty and Tomcat), checked against one run's medians:
 * ratios to nginx for speed, absolute bounds for memory, every connection held. Stateless.
 */
final class Targets {

    private Targets() {
    }

    /** One target: a metric, a bound, and whether the bound is a ratio to nginx or an absolute value. */
    private static final class Goal {
        final String metric;
        final String text;
        final double bound;
        final boolean atMost;
        final boolean ratioToNginx;

        Goal(String metric, String text, double bound, boolean atMost, boolean ratioToNginx) {
            this.metric = metric;
            this.text = text;
            this.bound = bound;
            this.atMost = atMost;
            this.ratioToNginx = ratioToNginx;
        }
    }

    private static final List<Goal> GOALS = List.of(
            new Goal(Measurements.P50, "latency p50 ≤ 1.1× nginx", 1.1, true, true),
            new Goal(Measurements.P99, "latency p99 ≤ 1.1× nginx", 1.1, true, true),
            new Goal(Measurements.THROUGHPUT, "throughput ≥ 0.95× nginx", 0.95, false, true),
            new Goal(Measurements.CPU_PER_MESSAGE, "proxy CPU per message ≤ 1.3× nginx", 1.3, true, true),
            new Goal(Measurements.BULK, "bulk ≥ 1.0× nginx", 1.0, false, true),
            new Goal(Measurements.HANDSHAKES, "handshakes/s ≥ 0.8× nginx, fresh process", 0.8, false, true),
            new Goal(Measurements.HANDSHAKES_WARM, "handshakes/s ≥ 0.8× nginx, warm", 0.8, false, true),
            new Goal(Measurements.RSS, "RSS per idle connection ≤ 24 KiB", 24, true, false),
            new Goal(Measurements.HEAP, "heap after GC per idle connection ≤ 8 KiB", 8, true, false));

    static String check(Map<String, Map<String, List<Double>>> results, List<String> targets) {
        List<String> tunnels = targets.stream()
                .filter(t -> t.equals(Target.TUNNEL_JETTY) || t.startsWith(Target.TUNNEL_TOMCAT)).toList();
        if (tunnels.isEmpty()) {
            return "";
        }
        StringBuilder out = new StringBuilder("\n### Issue 14 targets (tunnel mode)\n\n| target |");
        tunnels.forEach(t -> out.append(' ').append(t).append(" |"));
        out.append("\n|---|");
        tunnels.forEach(t -> out.append("---|"));
        out.append('\n');
        for (Goal goal : GOALS) {
            out.append("| ").append(goal.text).append(" |");
            for (String t : tunnels) {
                out.append(' ').append(verdict(results.get(goal.metric), t, goal)).append(" |");
            }
            out.append('\n');
        }
        out.append("| every connection held |");
        Map<String, List<Double>> held = results.get(Measurements.HELD);
        double most = held == null ? 0 : held.values().stream().mapToDouble(Report::median).max().orElse(0);
        for (String t : tunnels) {
            List<Double> v = held == null ? null : held.get(t);
            out.append(' ').append(v == null ? "–" : (Report.median(v) >= most ? "met" : "MISSED") + " ("
                    + Report.format(Report.median(v)) + ")").append(" |");
        }
        return out.append('\n').toString();
    }

    /**
     * With both {@code tunnel-jetty} and {@code tunnel-jetty-nometrics} in the run: the throughput and CPU per
     * message with metrics on relative to off (the target: counting costs at most 3 % of throughput).
     */
    static String metricsCost(Map<String, Map<String, List<Double>>> results, List<String> targets) {
        if (!targets.contains(Target.TUNNEL_JETTY) || !targets.contains(Target.TUNNEL_JETTY_NO_METRICS)) {
            return "";
        }
        StringBuilder out = new StringBuilder("\n### Metrics cost (tunnel-jetty vs tunnel-jetty-nometrics)\n\n");
        for (String metric : List.of(Measurements.THROUGHPUT, Measurements.CPU_PER_MESSAGE, Measurements.P50)) {
            Map<String, List<Double>> byTarget = results.get(metric);
            List<Double> on = byTarget == null ? null : byTarget.get(Target.TUNNEL_JETTY);
            List<Double> off = byTarget == null ? null : byTarget.get(Target.TUNNEL_JETTY_NO_METRICS);
            if (on == null || off == null || Report.median(off) == 0) {
                continue;
            }
            double ratio = Report.median(on) / Report.median(off);
            out.append("- ").append(metric).append(": on/off = ").append(String.format(Locale.ROOT, "%.3f", ratio));
            if (metric.equals(Measurements.THROUGHPUT)) {
                out.append(ratio >= 0.97 ? " (met: ≥ 0.97)" : " (MISSED: < 0.97)");
            }
            out.append('\n');
        }
        return out.toString();
    }

    private static String verdict(Map<String, List<Double>> byTarget, String target, Goal goal) {
        if (byTarget == null || byTarget.get(target) == null) {
            return "–";
        }
        double value = Report.median(byTarget.get(target));
        double compared = value;
        if (goal.ratioToNginx) {
            List<Double> nginx = byTarget.get(Target.NGINX);
            if (nginx == null || Report.median(nginx) == 0) {
                return "–";
            }
            compared = value / Report.median(nginx);
        }
        boolean met = goal.atMost ? compared <= goal.bound : compared >= goal.bound;
        String shown = goal.ratioToNginx ? String.format(Locale.ROOT, "%.2f×", compared) : Report.format(value);
        return (met ? "met" : "MISSED") + " (" + shown + ")";
    }
}
