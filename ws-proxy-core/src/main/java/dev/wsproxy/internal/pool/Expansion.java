package dev.wsproxy.internal.pool;

import dev.wsproxy.Upstream;
import dev.wsproxy.internal.Durations;
import dev.wsproxy.internal.UpstreamFailure;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@link Upstream#expandAddresses() expanded} upstream: its host name's addresses, each a {@link Member} of
 * its own. The name is resolved again when its answer is older than the pool's DNS TTL (one lookup at a time;
 * concurrent callers share it): a new address becomes a member, a missing one is marked {@link Member#gone}
 * (its open connections stay, it is offered no new ones) and forgotten once it has none. An address that comes
 * back gets its old member, health state included. A failed re-resolution keeps the last addresses for another
 * TTL. Members are ordered by address bytes, so every proxy instance orders them alike whatever order the
 * resolver answers in.
 *
 * <p>Thread-safe: the fields below are guarded by this object's monitor; {@link #current} is published
 * volatile. The pool's member list is rebuilt under this monitor (lock order: this, then the pool's), so no
 * caller sees a fresh answer before the pool offers its members. Logging happens outside the monitor.
 */
final class Expansion {

    private static final Logger LOG = LoggerFactory.getLogger(Expansion.class);
    /** IPv4 before IPv6, then by unsigned bytes: the same order on every instance. */
    private static final Comparator<InetAddress> BY_BYTES = Comparator.<InetAddress>comparingInt(
            a -> a.getAddress().length).thenComparing(InetAddress::getAddress, Arrays::compareUnsigned);

    final Upstream config;
    final URI uri;
    private final String pool;
    private final String host;
    private final Dns dns;
    private final Runnable changed;

    private final Map<String, Member> known = new LinkedHashMap<>();
    private volatile List<Member> current = List.of();
    private long resolvedAt;
    private boolean resolved;
    private CompletableFuture<Void> lookup;
    private UpstreamFailure failure;
    private boolean draining;

    /** @param changed called, under this object's monitor, when the member list changed */
    Expansion(String pool, Upstream config, URI uri, Dns dns, Runnable changed) {
        this.pool = pool;
        this.config = config;
        this.uri = uri;
        this.host = new Member(pool, config, uri).host;
        this.dns = dns;
        this.changed = changed;
    }

    /** The members for the name's current addresses, by address. */
    List<Member> current() {
        return current;
    }

    /** Members whose address is gone but which still serve connections. */
    synchronized List<Member> leaving() {
        return known.values().stream().filter(m -> m.gone && m.active.get() > 0).toList();
    }

    /** Every member this name has now or still serves through. */
    synchronized List<Member> all() {
        return List.copyOf(known.values());
    }

    /** Why the name has no members, when it has none: the last lookup's failure, else {@code null}. */
    synchronized UpstreamFailure failure() {
        return failure;
    }

    synchronized boolean resolvedOnce() {
        return resolved;
    }

    /** Completes (never exceptionally) once the addresses are no older than the TTL. */
    CompletableFuture<Void> refresh() {
        CompletableFuture<Void> mine;
        synchronized (this) {
            if (resolved && System.nanoTime() - resolvedAt < dns.ttlNanos()) {
                return CompletableFuture.completedFuture(null);
            }
            if (lookup != null) {
                return lookup;
            }
            mine = new CompletableFuture<>();
            lookup = mine;
        }
        CompletableFuture<List<InetAddress>> started;
        try {
            started = dns.resolveAll(host);
        } catch (RuntimeException e) { // the executor is shut down: the proxy is closing
            started = CompletableFuture.failedFuture(e);
        }
        started.whenComplete((found, error) -> {
            try {
                applied(found, error);
            } finally {
                mine.complete(null);
            }
        });
        return mine;
    }

    private void applied(List<InetAddress> found, Throwable error) {
        List<String> added = new ArrayList<>();
        List<String> removed = new ArrayList<>();
        String problem = null;
        int kept;
        synchronized (this) {
            lookup = null;
            resolvedAt = System.nanoTime();
            if (error != null) {
                Throwable cause = error instanceof CompletionException && error.getCause() != null
                        ? error.getCause() : error;
                problem = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
                if (current.isEmpty()) {
                    resolved = false; // nothing to keep: the next connect asks again
                    failure = new UpstreamFailure(502, "upstream host of " + config.uri() + " could not be resolved: "
                            + problem, cause);
                }
                kept = current.size();
            } else {
                resolved = true;
                failure = null;
                List<InetAddress> sorted = new ArrayList<>(found);
                sorted.sort(BY_BYTES);
                List<Member> next = new ArrayList<>();
                for (InetAddress address : sorted) {
                    String text = address.getHostAddress();
                    if (next.stream().anyMatch(m -> m.address.getHostAddress().equals(text))) {
                        continue;
                    }
                    Member member = known.get(text);
                    if (member == null) {
                        member = new Member(pool, config, uri, named(address));
                        member.draining = draining;
                        known.put(text, member);
                        added.add(text);
                    } else if (member.gone) {
                        member.gone = false;
                        added.add(text);
                    }
                    next.add(member);
                }
                for (Member old : current) {
                    if (!next.contains(old)) {
                        old.gone = true;
                        removed.add(old.address.getHostAddress() + (old.active.get() > 0 ? " (keeps its "
                                + old.active.get() + " open connection(s))" : ""));
                    }
                }
                known.values().removeIf(m -> m.gone && m.active.get() == 0);
                current = List.copyOf(next);
                kept = next.size();
                if (!added.isEmpty() || !removed.isEmpty()) {
                    // before anyone sees this answer as fresh: the pool's member list must already show it
                    changed.run();
                }
            }
        }
        if (problem != null) {
            LOG.warn("[pool {}] upstream {}: {} could not be resolved ({}); {}", pool, config.uri(), host, problem,
                    kept > 0 ? "keeping its " + kept + " address(es) for another " + Durations.format(
                            Duration.ofNanos(dns.ttlNanos())) : "it has no members until it resolves");
        } else if (!added.isEmpty() || !removed.isEmpty()) {
            LOG.info("[pool {}] upstream {}: {} resolves to {} address(es): {}{}{}", pool, config.uri(), host, kept,
                    current.stream().map(m -> m.address.getHostAddress()).toList(),
                    added.isEmpty() ? "" : ", new members " + added,
                    removed.isEmpty() ? "" : ", no new connections to " + removed);
        }
    }

    /** The address carrying the host name, so TLS sends it as SNI and verifies the certificate against it. */
    private InetAddress named(InetAddress address) {
        try {
            return InetAddress.getByAddress(host, address.getAddress());
        } catch (UnknownHostException e) {
            throw new IllegalStateException("an address from the resolver has an invalid length", e);
        }
    }

    /** Drains (or undrains) every address, those that appear later included. */
    void drain(boolean on) {
        List<Member> members;
        synchronized (this) {
            draining = on;
            members = List.copyOf(known.values());
        }
        members.forEach(m -> m.draining = on);
    }
}
