package dev.wsproxy.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses the {@link UpstreamClient}. The system property {@value #PROPERTY} ({@code tyrus}, {@code jetty})
 * picks one by name; without it the choice is {@link #DEFAULT}. Other clients come from
 * {@link ServiceLoader} ({@code ws-proxy-jetty} registers Jetty's).
 */
public final class UpstreamClients {

    private static final Logger LOG = LoggerFactory.getLogger(UpstreamClients.class);

    /** System property naming the upstream client. */
    public static final String PROPERTY = "wsproxy.upstream.client";
    /** The client used when the property is not set. */
    public static final String DEFAULT = TyrusUpstreamClient.NAME;

    private UpstreamClients() {
    }

    public static UpstreamClient create(Duration handshakeTimeout, int maxFrameSize) {
        String wanted = System.getProperty(PROPERTY, DEFAULT).trim();
        if (wanted.equals(TyrusUpstreamClient.NAME)) {
            return new TyrusUpstreamClient(handshakeTimeout);
        }
        List<String> known = new ArrayList<>(List.of(TyrusUpstreamClient.NAME));
        for (UpstreamClient.Factory factory : ServiceLoader.load(UpstreamClient.Factory.class,
                UpstreamClients.class.getClassLoader())) {
            if (factory.name().equals(wanted)) {
                return factory.create(handshakeTimeout, maxFrameSize);
            }
            known.add(factory.name());
        }
        LOG.warn("{}={} names no upstream client on the classpath (known: {}); using {}", PROPERTY, wanted, known,
                DEFAULT);
        return new TyrusUpstreamClient(handshakeTimeout);
    }
}
