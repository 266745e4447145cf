package dev.wsproxy.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/**
 * Creates the message-mode {@link UpstreamClient} a proxy was configured with: {@code tyrus} (in the core),
 * or a client found with {@link ServiceLoader} ({@code ws-proxy-jetty} registers {@code jetty}, Jetty's
 * WebSocket client). {@code auto} takes Jetty's when it is on the classpath (it measured faster) and Tyrus
 * otherwise. Stateless.
 */
public final class UpstreamClients {

    /** Picks Jetty's client when present, else Tyrus. */
    public static final String AUTO = "auto";

    private UpstreamClients() {
    }

    /**
     * @param wanted {@code auto}, {@code tyrus}, {@code jetty}, or the name of another registered client
     * @throws IllegalArgumentException when no client of that name is on the classpath, naming those that are
     */
    public static UpstreamClient create(String wanted, Duration handshakeTimeout, int maxFrameSize) {
        if (wanted.equals(TyrusUpstreamClient.NAME)) {
            return new TyrusUpstreamClient(handshakeTimeout);
        }
        List<String> known = new ArrayList<>(List.of(AUTO, TyrusUpstreamClient.NAME));
        for (UpstreamClient.Factory factory : ServiceLoader.load(UpstreamClient.Factory.class,
                UpstreamClients.class.getClassLoader())) {
            if (factory.name().equals(wanted) || (wanted.equals(AUTO) && factory.name().equals("jetty"))) {
                return factory.create(handshakeTimeout, maxFrameSize);
            }
            known.add(factory.name());
        }
        if (wanted.equals(AUTO)) {
            return new TyrusUpstreamClient(handshakeTimeout);
        }
        throw new IllegalArgumentException("messageClient '" + wanted + "' is not on the classpath (known: " + known
                + "; 'jetty' needs dev.wsproxy:ws-proxy-jetty)");
    }

    /** Whether a client of this name can be created here. */
    public static boolean available(String wanted) {
        if (wanted.equals(AUTO) || wanted.equals(TyrusUpstreamClient.NAME)) {
            return true;
        }
        for (UpstreamClient.Factory factory : ServiceLoader.load(UpstreamClient.Factory.class,
                UpstreamClients.class.getClassLoader())) {
            if (factory.name().equals(wanted)) {
                return true;
            }
        }
        return false;
    }
}
