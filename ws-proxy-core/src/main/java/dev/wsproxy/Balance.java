package dev.wsproxy;

import java.util.Locale;
import java.util.Objects;

/**
 * How a route's upstream pool picks the member for a new connection.
 *
 * <ul>
 *   <li>{@link #leastConnections()} (the default): the member with the fewest open connections per weight,
 *       ties taken in round-robin order. Right for long-lived WebSockets, where round robin piles
 *       connections on the members that have been up longest.</li>
 *   <li>{@link #roundRobin()}: smooth weighted round robin (nginx's), counting handshakes.</li>
 *   <li>{@link #powerOfTwoChoices()}: two random members, the one with fewer connections per weight.</li>
 *   <li>{@code hash...}: consistent (rendezvous) hashing on a key from the handshake, so the same key reaches
 *       the same member in every proxy instance and after restarts without shared state; removing one of N
 *       members moves only that member's keys. When the key's member cannot take the connection the next
 *       member in the key's own order does, the same second choice everywhere. A handshake without the key
 *       (no such header, cookie or parameter) is balanced by least connections.</li>
 * </ul>
 *
 * <p>Immutable and thread-safe. {@link #toString()} is the properties-file spelling read by {@link #parse}.
 */
public final class Balance {

    /** The strategy. */
    public enum Kind {
        /** Fewest connections per weight. */
        LEAST_CONNECTIONS,
        /** Smooth weighted round robin. */
        ROUND_ROBIN,
        /** Best of two random choices. */
        POWER_OF_TWO_CHOICES,
        /** Rendezvous hash of the client address (the forwarded client when the peer is a trusted proxy). */
        HASH_CLIENT_ADDRESS,
        /** Rendezvous hash of a request header. */
        HASH_HEADER,
        /** Rendezvous hash of a cookie. */
        HASH_COOKIE,
        /** Rendezvous hash of a query parameter. */
        HASH_QUERY_PARAMETER,
        /** Rendezvous hash of a capture group of a regex route. */
        HASH_PATH_CAPTURE
    }

    private final Kind kind;
    private final String key;

    private Balance(Kind kind, String key) {
        this.kind = kind;
        this.key = key;
    }

    /** Fewest open connections per weight; the default. */
    public static Balance leastConnections() {
        return new Balance(Kind.LEAST_CONNECTIONS, null);
    }

    /** Smooth weighted round robin over handshakes (nginx's default). */
    public static Balance roundRobin() {
        return new Balance(Kind.ROUND_ROBIN, null);
    }

    /** Power of two random choices, each judged by connections per weight. */
    public static Balance powerOfTwoChoices() {
        return new Balance(Kind.POWER_OF_TWO_CHOICES, null);
    }

    /**
     * Consistent hash of the client's address (nginx {@code ip_hash}, but stable across proxy instances): the
     * TCP peer, or the right-most untrusted {@code X-Forwarded-For} address when the peer is one of the route's
     * {@link ProxyRoute.Builder#trustedProxies trusted proxies}.
     */
    public static Balance hashClientAddress() {
        return new Balance(Kind.HASH_CLIENT_ADDRESS, null);
    }

    /** Consistent hash of request header {@code name} (e.g. a user or tenant id set by an auth layer). */
    public static Balance hashHeader(String name) {
        return new Balance(Kind.HASH_HEADER, Objects.requireNonNull(name, "name").trim());
    }

    /** Consistent hash of cookie {@code name} (e.g. a Socket.IO or session id). */
    public static Balance hashCookie(String name) {
        return new Balance(Kind.HASH_COOKIE, Objects.requireNonNull(name, "name").trim());
    }

    /** Consistent hash of query parameter {@code name} (its raw, still percent-encoded value). */
    public static Balance hashQueryParameter(String name) {
        return new Balance(Kind.HASH_QUERY_PARAMETER, Objects.requireNonNull(name, "name").trim());
    }

    /**
     * Consistent hash of capture group {@code group} (1..9) of the route's regex, matched against the
     * normalised path; only for {@link ProxyRoute#regex regex routes}.
     */
    public static Balance hashPathCapture(int group) {
        return new Balance(Kind.HASH_PATH_CAPTURE, Integer.toString(group));
    }

    /**
     * Reads the properties spelling: {@code least-connections}, {@code round-robin}, {@code power-of-two-choices},
     * {@code hash:client-address}, {@code hash:header:<name>}, {@code hash:cookie:<name>},
     * {@code hash:query:<name>} or {@code hash:path:<group>}.
     *
     * @throws IllegalArgumentException naming the value and the accepted spellings
     */
    public static Balance parse(String value) {
        String v = Objects.requireNonNull(value, "value").trim();
        String lower = v.toLowerCase(Locale.ROOT);
        switch (lower) {
            case "least-connections":
                return leastConnections();
            case "round-robin":
                return roundRobin();
            case "power-of-two-choices":
                return powerOfTwoChoices();
            case "hash:client-address":
                return hashClientAddress();
            default:
                break;
        }
        String[] parts = v.split(":", 3);
        if (parts.length == 3 && parts[0].equalsIgnoreCase("hash") && !parts[2].isBlank()) {
            switch (parts[1].toLowerCase(Locale.ROOT)) {
                case "header":
                    return hashHeader(parts[2]);
                case "cookie":
                    return hashCookie(parts[2]);
                case "query":
                    return hashQueryParameter(parts[2]);
                case "path":
                    try {
                        return hashPathCapture(Integer.parseInt(parts[2].trim()));
                    } catch (NumberFormatException e) {
                        break;
                    }
                default:
                    break;
            }
        }
        throw new IllegalArgumentException("balance must be least-connections, round-robin, power-of-two-choices,"
                + " hash:client-address, hash:header:<name>, hash:cookie:<name>, hash:query:<name> or"
                + " hash:path:<group> but was '" + v + "' (e.g. hash:cookie:sid)");
    }

    /** The strategy. */
    public Kind kind() {
        return kind;
    }

    /** The header, cookie or parameter name, or the capture group number; {@code null} for the others. */
    public String key() {
        return key;
    }

    /** Whether this is one of the consistent-hash strategies. */
    public boolean isHash() {
        return kind.name().startsWith("HASH_");
    }

    @Override
    public String toString() {
        switch (kind) {
            case LEAST_CONNECTIONS:
                return "least-connections";
            case ROUND_ROBIN:
                return "round-robin";
            case POWER_OF_TWO_CHOICES:
                return "power-of-two-choices";
            case HASH_CLIENT_ADDRESS:
                return "hash:client-address";
            case HASH_HEADER:
                return "hash:header:" + key;
            case HASH_COOKIE:
                return "hash:cookie:" + key;
            case HASH_QUERY_PARAMETER:
                return "hash:query:" + key;
            default:
                return "hash:path:" + key;
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Balance && o.toString().equals(toString());
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }
}
