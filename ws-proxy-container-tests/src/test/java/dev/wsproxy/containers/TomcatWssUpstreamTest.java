package dev.wsproxy.containers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wsproxy.ProxyRoute;
import dev.wsproxy.WebSocketProxy;
import dev.wsproxy.testing.Backend;
import dev.wsproxy.testing.RawWebSocket;
import dev.wsproxy.testing.SelfSignedCertificate;
import jakarta.websocket.CloseReason;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.apache.catalina.connector.Connector;
import org.apache.tomcat.util.threads.ThreadPoolExecutor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tunnel from Tomcat's NIO connector to a {@code wss://} upstream: the upstream side stays on Jetty's TLS
 * endpoint while the client's plain socket is read and written on the tunnel's selector loop alone, with no
 * Tomcat thread per message. The proxy trusts the upstream's self-signed certificate through the JVM trust
 * store (the only upstream trust ws-proxy has), set for this class and restored after it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TomcatWssUpstreamTest {

    private static final String[] TRUST_PROPERTIES = {
        "javax.net.ssl.trustStore", "javax.net.ssl.trustStorePassword", "javax.net.ssl.trustStoreType"};

    @TempDir
    static Path dir;

    private final Map<String, String> savedTrust = new HashMap<>();
    private Backend backend;
    private WebSocketProxy proxy;
    private EmbeddedTomcat tomcat;
    private Connector connector;

    @BeforeAll
    void start() throws Exception {
        SelfSignedCertificate certificate = SelfSignedCertificate.create(dir);
        backend = Backend.startTls(certificate);
        for (String name : TRUST_PROPERTIES) {
            savedTrust.put(name, System.getProperty(name));
        }
        System.setProperty("javax.net.ssl.trustStore", certificate.keyStore.toString());
        System.setProperty("javax.net.ssl.trustStorePassword", SelfSignedCertificate.PASSWORD);
        System.setProperty("javax.net.ssl.trustStoreType", "PKCS12");
        proxy = WebSocketProxy.builder().route(ProxyRoute.prefix("/ws/").upstream(backend.uri("/")).build()).build();

        tomcat = EmbeddedTomcat.start(Files.createDirectories(dir.resolve("tomcat")), EmbeddedTomcat.NIO, proxy,
                context -> { });
        connector = tomcat.connector;
    }

    @AfterAll
    void stop() throws Exception {
        if (tomcat != null) {
            tomcat.close();
        }
        if (proxy != null) {
            proxy.close();
        }
        if (backend != null) {
            backend.close();
        }
        savedTrust.forEach((name, value) -> {
            if (value == null) {
                System.clearProperty(name);
            } else {
                System.setProperty(name, value);
            }
        });
    }

    @Test
    void messagesToAWssUpstreamTakeNoTomcatThreadPerMessage() throws Exception {
        ThreadPoolExecutor executor = (ThreadPoolExecutor) connector.getProtocolHandler().getExecutor();
        try (RawWebSocket client = RawWebSocket.connect(connector.getLocalPort(), "/ws/echo")) {
            client.sendFrame(RawWebSocket.TEXT, true, "warm".getBytes(StandardCharsets.UTF_8));
            assertEquals("warm", new String(client.readMessage(), StandardCharsets.UTF_8));
            assertEquals("/echo", backend.takeHandshake().path, "the upstream was reached over TLS");
            long before = executor.getCompletedTaskCount();
            for (int i = 0; i < 200; i++) {
                client.sendFrame(RawWebSocket.TEXT, true, ("m" + i).getBytes(StandardCharsets.UTF_8));
                assertEquals("m" + i, new String(client.readMessage(), StandardCharsets.UTF_8));
            }
            long tasks = executor.getCompletedTaskCount() - before;
            assertTrue(tasks < 20, () -> tasks + " Tomcat tasks for 200 echoed messages");
        }
    }

    @Test
    void aMebibyteEchoesIntactAndACloseCodeReachesTheUpstream() throws Exception {
        byte[] big = new byte[1024 * 1024];
        new Random(1).nextBytes(big);
        try (RawWebSocket client = RawWebSocket.connect(connector.getLocalPort(), "/ws/echo")) {
            client.sendFrame(RawWebSocket.BINARY, true, big);
            assertArrayEquals(big, client.readMessage());
            client.sendClose(4001, "done here");
            assertEquals("4001 done here", client.awaitClose());
        }
        CloseReason atUpstream = backend.takeClose();
        assertEquals(4001, atUpstream.getCloseCode().getCode());
        assertEquals("done here", atUpstream.getReasonPhrase());
    }
}
