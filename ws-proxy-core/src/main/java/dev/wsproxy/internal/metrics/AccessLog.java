package dev.wsproxy.internal.metrics;

import dev.wsproxy.ProxyConnection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The access log: one INFO line on the SLF4J logger {@code dev.wsproxy.access} per ended connection
 * ({@code event=close}) and per refused handshake ({@code event=refused}), as {@code key=value} pairs (values
 * with spaces, quotes or {@code =} in double quotes, {@code -} for none) or as one JSON object per line. Keys
 * and their order are stable; new keys are only ever appended. No query strings, headers or payloads are
 * logged.
 *
 * <p>Thread-safe and stateless apart from its format; nothing is formatted when the logger is off.
 */
public final class AccessLog {

    /** The logger's name. */
    public static final String LOGGER = "dev.wsproxy.access";

    private static final Logger LOG = LoggerFactory.getLogger(LOGGER);

    /** {@code keyvalue}, {@code json} or {@code off}. */
    public enum Format { KEYVALUE, JSON, OFF }

    private final Format format;

    public AccessLog(Format format) {
        this.format = format;
    }

    /** Parses a setting value, naming the field in the error. */
    public static Format parse(String field, String value) {
        String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
        switch (v) {
            case "keyvalue":
            case "key-value":
            case "kv":
                return Format.KEYVALUE;
            case "json":
                return Format.JSON;
            case "off":
            case "none":
            case "false":
                return Format.OFF;
            default:
                throw new IllegalArgumentException(field + " must be keyvalue, json or off but was '" + value
                        + "' (keyvalue is the default)");
        }
    }

    public boolean enabled() {
        return format != Format.OFF && LOG.isInfoEnabled();
    }

    /** The line of an ended connection. */
    public void connection(ProxyConnection c, ConnectionStats s) {
        if (!enabled()) {
            return;
        }
        long nanos = s.openNanos() == 0 ? 0 : System.nanoTime() - s.openNanos();
        EndCause cause = s.endCause();
        List<Object> kv = new ArrayList<>(48);
        add(kv, "time", Instant.now().toString());
        add(kv, "event", "close");
        add(kv, "id", c.id());
        add(kv, "client", s.clientAddress() != null ? s.clientAddress() : c.clientAddress());
        add(kv, "route", c.route().path());
        add(kv, "upstream", s.upstream() != null ? s.upstream() : MetricsRegistry.upstreamKey(c.upstream()));
        add(kv, "path", c.path());
        add(kv, "subprotocol", c.subprotocol());
        add(kv, "mode", s.mode());
        add(kv, "duration_ms", TimeUnit.NANOSECONDS.toMillis(nanos));
        add(kv, "c2u_messages", c.clientToUpstreamMessages());
        add(kv, "c2u_bytes", c.clientToUpstreamBytes());
        add(kv, "u2c_messages", c.upstreamToClientMessages());
        add(kv, "u2c_bytes", c.upstreamToClientBytes());
        add(kv, "client_close", (long) s.closeCode(true));
        add(kv, "client_reason", s.closeReason(true));
        add(kv, "upstream_close", (long) s.closeCode(false));
        add(kv, "upstream_reason", s.closeReason(false));
        add(kv, "ended_by", cause == null ? null : cause.endedBy());
        add(kv, "cause", cause == null ? null : cause.reasonClass());
        LOG.info(render(kv));
    }

    /** The line of a refused handshake. */
    public void refused(String id, String client, String route, String upstream, String path, int status,
                        String reason) {
        if (!enabled()) {
            return;
        }
        List<Object> kv = new ArrayList<>(20);
        add(kv, "time", Instant.now().toString());
        add(kv, "event", "refused");
        add(kv, "id", id);
        add(kv, "client", client);
        add(kv, "route", route);
        add(kv, "upstream", upstream);
        add(kv, "path", path);
        add(kv, "status", (long) status);
        add(kv, "reason", reason);
        LOG.info(render(kv));
    }

    private static void add(List<Object> kv, String key, Object value) {
        kv.add(key);
        kv.add(value);
    }

    String render(List<Object> kv) {
        StringBuilder sb = new StringBuilder(256);
        boolean json = format == Format.JSON;
        if (json) {
            sb.append('{');
        }
        for (int i = 0; i < kv.size(); i += 2) {
            if (i > 0) {
                sb.append(json ? "," : " ");
            }
            Object value = kv.get(i + 1);
            if (json) {
                sb.append('"').append(kv.get(i)).append("\":");
                if (value instanceof Long) {
                    sb.append(value);
                } else if (value == null) {
                    sb.append("null");
                } else {
                    quoted(sb, value.toString());
                }
            } else {
                sb.append(kv.get(i)).append('=');
                String v = value == null ? "" : value.toString();
                if (v.isEmpty()) {
                    sb.append('-');
                } else if (needsQuotes(v)) {
                    quoted(sb, v);
                } else {
                    sb.append(v);
                }
            }
        }
        if (json) {
            sb.append('}');
        }
        return sb.toString();
    }

    private static boolean needsQuotes(String v) {
        if (v.equals("-")) {
            return true;
        }
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c <= ' ' || c == '"' || c == '=' || c == '\\' || c == 127) {
                return true;
            }
        }
        return false;
    }

    /** Appends {@code v} in double quotes with JSON escapes (valid in both formats). */
    private static void quoted(StringBuilder sb, String v) {
        sb.append('"');
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < ' ' || c == 127) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }
}
