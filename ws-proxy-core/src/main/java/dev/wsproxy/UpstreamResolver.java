package dev.wsproxy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * Turns an upstream host name into addresses. The pool calls it when its cached answer for a name is older
 * than {@link PoolSettings.Builder#dnsTtl} (never once for the proxy's life: the JVM caching an address
 * forever is the classic stale-IP outage), and connects to the returned addresses in turn (or, for an
 * {@link Upstream#expandAddresses() expanded} member, makes each address a member) while keeping the name for
 * {@code Host} and TLS (SNI and certificate checks). IP literals are never resolved.
 *
 * <p>Called from the proxy's own threads, concurrently for different names; may block.
 */
@FunctionalInterface
public interface UpstreamResolver {

    /** The JVM's resolver ({@link InetAddress#getAllByName}); the default. */
    UpstreamResolver SYSTEM = host -> List.of(InetAddress.getAllByName(host));

    /**
     * The addresses of {@code host}, at least one.
     *
     * @throws UnknownHostException when the name has none (the connect attempt fails with 502)
     */
    List<InetAddress> resolve(String host) throws UnknownHostException;
}
