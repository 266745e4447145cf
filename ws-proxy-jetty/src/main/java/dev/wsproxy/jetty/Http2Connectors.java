package dev.wsproxy.jetty;

import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.http2.HTTP2Cipher;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * {@link JettyProxyServer}'s HTTP/2 connection factories, kept in their own class so that the JVM loads Jetty's
 * HTTP/2 and ALPN classes only when HTTP/2 is on: {@code jetty-http2-server} and {@code jetty-alpn-java-server}
 * are optional dependencies of ws-proxy-jetty, absent for users who only call {@link JettyWebSocketProxy#mount}.
 * Stateless.
 */
final class Http2Connectors {

    private static final String[] REQUIRED = {
        "org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory",
        "org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory",
    };

    private Http2Connectors() {
    }

    /** Whether Jetty's HTTP/2 server and ALPN are on the classpath. */
    static boolean available() {
        for (String name : REQUIRED) {
            try {
                Class.forName(name, false, Http2Connectors.class.getClassLoader());
            } catch (ClassNotFoundException | LinkageError e) {
                return false;
            }
        }
        return true;
    }

    /** h2c beside HTTP/1.1 on a plain connector. */
    static ConnectionFactory h2c(HttpConfiguration httpConfig) {
        return new HTTP2CServerConnectionFactory(httpConfig);
    }

    /** TLS, then ALPN choosing h2 or HTTP/1.1 (the default for clients without ALPN). */
    static ConnectionFactory[] tls(SslContextFactory.Server ssl, HttpConfiguration httpsConfig,
                                   HttpConnectionFactory http11) {
        ssl.setCipherComparator(HTTP2Cipher.COMPARATOR);
        HTTP2ServerConnectionFactory h2 = new HTTP2ServerConnectionFactory(httpsConfig);
        ALPNServerConnectionFactory alpn = new ALPNServerConnectionFactory(h2.getProtocol(), http11.getProtocol());
        alpn.setDefaultProtocol(http11.getProtocol());
        return new ConnectionFactory[] {new SslConnectionFactory(ssl, alpn.getProtocol()), alpn, h2, http11};
    }
}
