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
 * <p>A host name with several addresses (a DNS round-robin name, a headless Kubernetes service) is one member
 * connected to its addresses in turn, unless {@link #expandAddresses()} makes each address a member of its own.
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
    private final boolean expandAddresses;

    private Upstream(String uri, int weight, boolean backup, int maxConnections, boolean expandAddresses) {
        this.uri = uri;
        this.weight = weight;
        this.backup = backup;
        this.maxConnections = maxConnections;
        this.expandAddresses = expandAddresses;
    }

    /** A primary member with weight 1 and no connection limit, e.g. {@code Upstream.of("ws://chat-1:8080/")}. */
    public static Upstream of(String uri) {
        return new Upstream(Objects.requireNonNull(uri, "uri").trim(), DEFAULT_WEIGHT, false, 0, false);
    }

    /**
     * This member with a weight: it gets {@code weight} shares of the connections (round robin, least
     * connections per weight, hash). Must be at least 1; default 1.
     */
    public Upstream weight(int weight) {
        return new Upstream(uri, weight, backup, maxConnections, expandAddresses);
    }

    /** This member as a backup: used only while no primary member can take a connection. */
    public Upstream backup() {
        return new Upstream(uri, weight, true, maxConnections, expandAddresses);
    }

    /**
     * This member with at most {@code maxConnections} concurrent connections; a full member is skipped, and
     * when every member is full the client gets 503 with {@code Retry-After}. Default 0, unlimited.
     */
    public Upstream maxConnections(int maxConnections) {
        return new Upstream(uri, weight, backup, maxConnections, expandAddresses);
    }

    /**
     * This member's host name expanded into one member per address it resolves to, each named
     * {@code uri (address)}, e.g. {@code ws://chat:8080/ (10.0.0.7)}: each address is balanced, ejected, checked,
     * limited ({@link #maxConnections}) and drained on its own, and {@code ProxyConnection.upstreamMember()} names
     * it. Each expanded member has this member's weight and backup flag, so a name with three addresses gets
     * three shares. The name is resolved again after the pool's DNS TTL: new addresses become members, and an
     * address no longer returned takes no new connections while its open ones stay until they end. {@code Host}
     * and TLS (SNI, certificate check) keep the name. Draining this member's URI drains all its addresses.
     * Default off: the addresses are connected to in turn as one member.
     *
     * <p>{@link ProxyRoute.Builder#build()} refuses it for an IP-literal host, with an HTTPS
     * {@link HealthCheck#http} check, and for {@code wss://} in {@link ProxyRoute.RelayMode#MESSAGE} (those
     * connect by name, so not to one chosen address).
     */
    public Upstream expandAddresses() {
        return new Upstream(uri, weight, backup, maxConnections, true);
    }

    /**
     * Reads the properties spelling, {@code uri [weight=N] [backup] [max-connections=N] [expand-addresses]}, e.g.
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
                } else if (word.equals("expand-addresses")) {
                    member = member.expandAddresses();
                } else if (word.startsWith("weight=")) {
                    member = member.weight(Integer.parseInt(word.substring("weight=".length())));
                } else if (word.startsWith("max-connections=")) {
                    member = member.maxConnections(Integer.parseInt(word.substring("max-connections=".length())));
                } else {
                    throw new IllegalArgumentException("upstream '" + text.trim() + "' has unknown attribute '" + word
                            + "' (use weight=N, backup, max-connections=N or expand-addresses)");
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

    /** Whether each address of the host name is a member of its own; default {@code false}. */
    public boolean expandsAddresses() {
        return expandAddresses;
    }

    /** The properties-file spelling: {@code uri [weight=N] [backup] [max-connections=N] [expand-addresses]}. */
    @Override
    public String toString() {
        return uri + (weight != DEFAULT_WEIGHT ? " weight=" + weight : "") + (backup ? " backup" : "")
                + (maxConnections != 0 ? " max-connections=" + maxConnections : "")
                + (expandAddresses ? " expand-addresses" : "");
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
