package dev.wsproxy.internal.pool;

import dev.wsproxy.Balance;
import dev.wsproxy.HandshakeRequest;
import dev.wsproxy.internal.HeaderPolicy;
import dev.wsproxy.internal.UpstreamHeaders;
import java.util.regex.Matcher;

/** Takes a consistent-hash balance's key from a handshake. Stateless. */
public final class HashKeys {

    private HashKeys() {
    }

    /**
     * The key, or {@code null} when the balance is not a hash or the handshake lacks the key.
     *
     * @param normalizedPath the normalised request path the route matched (for path captures)
     */
    public static String of(PoolSpec spec, HandshakeRequest request, HeaderPolicy policy, String normalizedPath) {
        Balance balance = spec.balance();
        String name = balance.key();
        switch (balance.kind()) {
            case HASH_CLIENT_ADDRESS:
                return UpstreamHeaders.clientAddress(request, policy);
            case HASH_HEADER:
                String value = request.header(name);
                return value == null || value.isBlank() ? null : value.trim();
            case HASH_COOKIE:
                for (String header : request.headers("Cookie")) {
                    for (String pair : header.split(";")) {
                        int eq = pair.indexOf('=');
                        if (eq > 0 && pair.substring(0, eq).trim().equals(name)) {
                            return pair.substring(eq + 1).trim();
                        }
                    }
                }
                return null;
            case HASH_QUERY_PARAMETER:
                String query = request.query();
                if (query != null) {
                    for (String pair : query.split("&")) {
                        int eq = pair.indexOf('=');
                        if ((eq < 0 ? pair : pair.substring(0, eq)).equals(name)) {
                            return eq < 0 ? "" : pair.substring(eq + 1);
                        }
                    }
                }
                return null;
            case HASH_PATH_CAPTURE:
                Matcher m = spec.regex().matcher(normalizedPath);
                return m.matches() ? m.group(Integer.parseInt(name)) : null;
            default:
                return null;
        }
    }
}
