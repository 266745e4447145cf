package dev.wsproxy.check;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The outcome of a {@link WebSocketCheck}: one {@link Step} per check made, in order. Steps that could not run
 * because an earlier one failed (no TCP connection, no upgrade) are left out. Immutable once returned.
 */
public final class CheckReport {

    /**
     * One check: its short name ({@code dns}, {@code tcp}, {@code tls}, {@code certificate-expiry},
     * {@code certificate-name}, {@code certificate-trust}, {@code upgrade}, {@code accept}, {@code subprotocol},
     * {@code echo}, {@code ping}, {@code idle}, {@code close}), whether it passed, what was seen, and for a
     * failure the usual cause and fix.
     *
     * @param name the step's short name
     * @param ok whether it passed
     * @param detail what was seen (status line, time taken, certificate dates)
     * @param fix the usual cause and what to change, or {@code null} when it passed
     * @param millis how long the step took
     */
    public record Step(String name, boolean ok, String detail, String fix, long millis) {
    }

    private final String url;
    private final List<Step> steps = new ArrayList<>();

    CheckReport(String url) {
        this.url = url;
    }

    void add(Step step) {
        steps.add(step);
    }

    Step pass(String name, String detail, long startedNanos) {
        Step step = new Step(name, true, detail, null, (System.nanoTime() - startedNanos) / 1_000_000);
        add(step);
        return step;
    }

    Step fail(String name, String detail, String fix, long startedNanos) {
        Step step = new Step(name, false, detail, fix, (System.nanoTime() - startedNanos) / 1_000_000);
        add(step);
        return step;
    }

    /** The URL checked. */
    public String url() {
        return url;
    }

    /** The steps, in the order they ran. */
    public List<Step> steps() {
        return Collections.unmodifiableList(steps);
    }

    /** Whether every step passed (and there was at least one). */
    public boolean ok() {
        return !steps.isEmpty() && steps.stream().allMatch(Step::ok);
    }

    /** The step named {@code name}, or {@code null} when it did not run. */
    public Step step(String name) {
        return steps.stream().filter(s -> s.name().equals(name)).findFirst().orElse(null);
    }

    /** One line per step: {@code ✓ name  detail} or {@code ✗ name  detail — fix: ...}. */
    public String toText() {
        StringBuilder out = new StringBuilder();
        for (Step s : steps) {
            out.append(s.ok() ? "✓ " : "✗ ").append(String.format("%-19s", s.name())).append(s.detail());
            if (s.fix() != null) {
                out.append(" — fix: ").append(s.fix());
            }
            out.append('\n');
        }
        out.append(ok() ? "all checks passed for " : "some checks failed for ").append(url).append('\n');
        return out.toString();
    }

    /** The report as one JSON object: {@code {"url":...,"ok":...,"steps":[{"name","ok","detail","fix","ms"}]}}. */
    public String toJson() {
        StringBuilder out = new StringBuilder("{\"url\":").append(quote(url)).append(",\"ok\":").append(ok())
                .append(",\"steps\":[");
        for (int i = 0; i < steps.size(); i++) {
            Step s = steps.get(i);
            out.append(i == 0 ? "" : ",").append("{\"name\":").append(quote(s.name())).append(",\"ok\":")
                    .append(s.ok()).append(",\"detail\":").append(quote(s.detail())).append(",\"fix\":")
                    .append(s.fix() == null ? "null" : quote(s.fix())).append(",\"ms\":").append(s.millis())
                    .append('}');
        }
        return out.append("]}").toString();
    }

    static String quote(String text) {
        StringBuilder out = new StringBuilder("\"");
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
