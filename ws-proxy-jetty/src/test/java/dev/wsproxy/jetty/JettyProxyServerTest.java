package dev.wsproxy.jetty;

import dev.wsproxy.testing.SelfSignedCertificate;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wsproxy.ProxyRoute;
import dev.wsproxy.WebSocketProxy;
import dev.wsproxy.testing.Backend;
import dev.wsproxy.testing.RawHttp;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.websocket.jakarta.server.JakartaWebSocketServerContainer;
import org.eclipse.jetty.websocket.api.Session;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The standalone server's transports: wss:// from PKCS#12 and PEM, WebSocket over HTTP/2 (RFC 8441) on h2 and
 * h2c, the HTTP-to-HTTPS redirect, and the container settings it derives. Every transport relays to the same
 * HTTP/1.1 backend.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JettyProxyServerTest {

    private static final InetSocketAddress ANY_PORT = new InetSocketAddress("127.0.0.1", 0);

    @TempDir
    static Path dir;

    private SelfSignedCertificate certificate;
    private Backend backend;
    private WebSocketProxy proxy;
    private JettyProxyServer pkcs12Server;

    @BeforeAll
    void start() throws Exception {
        certificate = SelfSignedCertificate.create(dir);
        backend = Backend.start();
        proxy = WebSocketProxy.builder().route(ProxyRoute.prefix("/ws/").upstream(backend.uri("/")).build()).build();
        pkcs12Server = JettyProxyServer.builder(proxy)
                .http(ANY_PORT)
                .https(ANY_PORT, TlsCertificate.pkcs12(certificate.keyStore, SelfSignedCertificate.PASSWORD))
                .start();
    }

    /** A server's close drains its proxy, so servers started and stopped inside a test get their own. */
    private WebSocketProxy newProxy() {
        return WebSocketProxy.builder().route(ProxyRoute.prefix("/ws/").upstream(backend.uri("/")).build()).build();
    }

    @AfterAll
    void stop() throws Exception {
        pkcs12Server.close();
        proxy.close();
        backend.close();
    }

    private String echoOnce(boolean http2, URI uri) throws Exception {
        try (JettyWsClient client = JettyWsClient.start(http2, certificate.keyStore)) {
            Session session = client.connect(uri);
            assertEquals(http2 ? "HTTP/2.0" : "HTTP/1.1", session.getUpgradeRequest().getHttpVersion());
            client.send("over " + uri.getScheme() + (http2 ? " h2" : " h1"));
            String echoed = client.next();
            session.close();
            return echoed;
        }
    }

    @Test
    void wssFromPkcs12KeystoreRelaysToPlainUpstream() throws Exception {
        assertEquals("over wss h1", echoOnce(false, URI.create("wss://127.0.0.1:" + pkcs12Server.httpsPort() + "/ws/echo")));
        assertEquals("Upgrade", backend.takeHandshake().header("Connection"), "the upstream hop is HTTP/1.1");
    }

    @Test
    void everyConnectorListensWithTheAcceptQueueSizeAnd0IsRefusedWithTheDefault() {
        for (org.eclipse.jetty.server.Connector c : pkcs12Server.server().getConnectors()) {
            assertEquals(JettyProxyServer.DEFAULT_ACCEPT_QUEUE_SIZE,
                    ((org.eclipse.jetty.server.ServerConnector) c).getAcceptQueueSize(), c.toString());
        }
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> JettyProxyServer.builder(proxy).acceptQueueSize(0));
        assertEquals("acceptQueueSize must be positive but was 0 (the default is 1024)", e.getMessage());
    }

    @Test
    void wssFromPemFilesRelays() throws Exception {
        try (WebSocketProxy own = newProxy(); JettyProxyServer pem = JettyProxyServer.builder(own)
                .https(ANY_PORT, TlsCertificate.pem(certificate.certificatePem, certificate.privateKeyPem))
                .start()) {
            assertEquals("wss", pem.uri().getScheme());
            assertEquals("over wss h1", echoOnce(false, URI.create("wss://127.0.0.1:" + pem.port() + "/ws/echo")));
        }
    }

    @Test
    void webSocketOverHttp2WithTlsRelaysToHttp11Upstream() throws Exception {
        assertEquals("over wss h2", echoOnce(true, URI.create("wss://127.0.0.1:" + pkcs12Server.httpsPort() + "/ws/echo")));
        assertEquals("websocket", backend.takeHandshake().header("Upgrade"));
    }

    @Test
    void webSocketOverCleartextHttp2RelaysToHttp11Upstream() throws Exception {
        assertEquals("over ws h2", echoOnce(true, URI.create("ws://127.0.0.1:" + pkcs12Server.httpPort() + "/ws/echo")));
        assertEquals("websocket", backend.takeHandshake().header("Upgrade"));
    }

    @Test
    void plainHttpIsRedirectedToHttpsWhenAsked() throws Exception {
        try (WebSocketProxy own = newProxy(); JettyProxyServer redirecting = JettyProxyServer.builder(own)
                .http(ANY_PORT)
                .https(ANY_PORT, TlsCertificate.pkcs12(certificate.keyStore, SelfSignedCertificate.PASSWORD))
                .redirectHttpToHttps(true)
                .start()) {
            RawHttp.Response response = RawHttp.exchange(redirecting.httpPort(),
                    "GET /ws/echo?x=1 HTTP/1.1", "Host: 127.0.0.1:" + redirecting.httpPort(), "Connection: close");
            assertTrue(response.status == 301 || response.status == 302 || response.status == 307
                    || response.status == 308, response::toString);
            assertEquals("https://127.0.0.1:" + redirecting.httpsPort() + "/ws/echo?x=1", response.header("Location"));
        }
    }

    @Test
    void jettyWebSocketSettingsComeFromTheProxyNotJettyDefaults() {
        ServletContextHandler context = pkcs12Server.server().getDescendant(ServletContextHandler.class);
        JakartaWebSocketServerContainer container = JakartaWebSocketServerContainer.getContainer(
                context.getServletContext());
        assertEquals(0, container.getDefaultMaxSessionIdleTimeout());
        assertEquals(ProxyRoute.DEFAULT_MAX_FRAME_SIZE, container.getDefaultMaxTextMessageBufferSize());
        assertEquals(ProxyRoute.DEFAULT_MAX_FRAME_SIZE, container.getDefaultMaxBinaryMessageBufferSize());
    }

    @Test
    void wssUpstreamWithAnUntrustedCertificateIsRefusedWith502() throws Exception {
        // the TLS server's certificate is self-signed, so the JVM's trust store does not vouch for it
        try (WebSocketProxy front = WebSocketProxy.builder()
                     .route(ProxyRoute.prefix("/tls/").upstream("wss://127.0.0.1:" + pkcs12Server.httpsPort() + "/ws/")
                             .build()).detailedErrors(true).build();
             JettyProxyServer frontServer = JettyProxyServer.start(front, ANY_PORT)) {
            RawHttp.Response response = RawHttp.exchange(frontServer.port(), "GET /tls/echo HTTP/1.1",
                    "Host: 127.0.0.1", "Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Version: 13",
                    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==");
            assertEquals(502, response.status, response::toString);
            assertTrue(response.body.contains("TLS handshake with upstream wss://127.0.0.1:"), response.body);
        }
    }

    @Test
    void missingKeystoreFailsStartNamingTheFile() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> JettyProxyServer.builder(proxy)
                .https(ANY_PORT, TlsCertificate.pkcs12(dir.resolve("nope.p12"), "x")).start());
        assertTrue(e.getMessage().contains("nope.p12"), e.getMessage());
    }
}
