package dev.wsproxy;

import java.util.Objects;

/**
 * One member of a route's upstream pool: a {@code ws://} or {@code wss://} URI with its weight, whether it is a
 * backup, and its own connection limit. Used with {@link ProxyRoute.Builder#upstreams(Upstream...)}:
 *
 * <pre>{@code
 * .upstreams(Upstream.of("ws://chat-1:8080/"), Upstream.of("ws://chat-2:8080/").weight(2),
 *            Upstream.of("ws://chat-3:8080/").backup())
 * }</pre>
 *
 * <p>All members of one route share the path of their URIs (only scheme, host and port differ), since the
 * route rewrites the request path once. The URI is checked by {@link ProxyRoute.Builder#build()}.
 *
 * <p>Immutable and thread-safe: every method returns a new value.
 */
public final class Upstream {

    /** Default weight of a member. */
    public static final int DEFAULT_WEIGHT = 1;

    private final String uri;
    private final int weight;
    private final boolean backup;
    private final int maxConnections;

    private Upstream(String uri, int weight, boolean backup, int maxConnections) {
        this.uri = uri;
        this.weight = weight;
        this.backup = backup;
        this.maxConnections = maxConnections;
    }

    /** A primary member with weight 1 and no connection limit, e.g. {@code Upstream.of("ws://chat-1:8080/")}. */
    public static Upstream of(String uri) {
        return new Upstream(Objects.requireNonNull(uri, "uri").trim(), DEFAULT_WEIGHT, false, 0);
    }

    /**
     * This member with a weight: it gets {@code weight} shares of the connections (round robin, least
     * connections per weight, hash). Must be at least 1; default 1.
     */
    public Upstream weight(int weight) {
        return new Upstream(uri, weight, backup, maxConnections);
    }

    /** This member as a backup: used only while no primary member can take a connection. */
    public Upstream backup() {
        return new Upstream(uri, weight, true, maxConnections);
    }

    /**
     * This member with at most {@code maxConnections} concurrent connections; a full member is skipped, and
     * when every member is full the client gets 503 with {@code Retry-After}. Default 0, unlimited.
     */
    public Upstream maxConnections(int maxConnections) {
        return new Upstream(uri, weight, backup, maxConnections);
    }

    /**
     * Reads the properties spelling, {@code uri [weight=N] [backup] [max-connections=N]}, e.g.
     * {@code "ws://chat-2:8080/ weight=2"} (what {@link #toString()} writes).
     *
     * @throws IllegalArgumentException naming the unknown attribute and the accepted ones
     */
    public static Upstream parse(String text) {
        String[] words = Objects.requireNonNull(text, "text").trim().split("\\s+");
        Upstream member = of(words[0]);
        for (int w = 1; w < words.length; w++) {
            String word = words[w];
            try {
                if (word.equals("backup")) {
                    member = member.backup();
                } else if (word.startsWith("weight=")) {
                    member = member.weight(Integer.parseInt(word.substring("weight=".length())));
                } else if (word.startsWith("max-connections=")) {
                    member = member.maxConnections(Integer.parseInt(word.substring("max-connections=".length())));
                } else {
                    throw new IllegalArgumentException("upstream '" + text.trim() + "' has unknown attribute '" + word
                            + "' (use weight=N, backup or max-connections=N)");
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("upstream '" + text.trim() + "' has '" + word + "' but its value"
                        + " must be a whole number (e.g. weight=2)", e);
            }
        }
        return member;
    }

    /** The URI as given; it is also the member's name in the pool's state and in logs. */
    public String uri() {
        return uri;
    }

    /** The weight; default 1. */
    public int weight() {
        return weight;
    }

    /** Whether this member is a backup; default {@code false}. */
    public boolean isBackup() {
        return backup;
    }

    /** The most concurrent connections; default 0, unlimited. */
    public int maxConnections() {
        return maxConnections;
    }

    /** The properties-file spelling: {@code uri [weight=N] [backup] [max-connections=N]}. */
    @Override
    public String toString() {
        return uri + (weight != DEFAULT_WEIGHT ? " weight=" + weight : "") + (backup ? " backup" : "")
                + (maxConnections != 0 ? " max-connections=" + maxConnections : "");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Upstream && ((Upstream) o).toString().equals(toString());
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }
}
