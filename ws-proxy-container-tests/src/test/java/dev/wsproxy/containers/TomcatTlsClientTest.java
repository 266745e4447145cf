package dev.wsproxy.containers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wsproxy.ProxyRoute;
import dev.wsproxy.WebSocketProxy;
import dev.wsproxy.testing.Backend;
import dev.wsproxy.testing.RawWebSocket;
import dev.wsproxy.testing.SelfSignedCertificate;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.apache.tomcat.util.net.SSLHostConfig;
import org.apache.tomcat.util.net.SSLHostConfigCertificate;
import org.apache.tomcat.util.threads.ThreadPoolExecutor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code wss://} clients on Tomcat's TLS connector: the tunnel cannot read those sockets itself (Tomcat decrypts),
 * so their connections keep the portable {@code WebConnection} path, a Tomcat task per read, and relay intact.
 */
class TomcatTlsClientTest {

    @TempDir
    Path dir;

    @Test
    void wssClientsOnTomcatRelayThroughTheContainersStreams() throws Exception {
        SelfSignedCertificate certificate = SelfSignedCertificate.create(dir);
        try (Backend backend = Backend.start();
             WebSocketProxy proxy = WebSocketProxy.builder()
                     .route(ProxyRoute.prefix("/ws/").upstream(backend.uri("/")).build()).build();
             EmbeddedTomcat tomcat = EmbeddedTomcat.start(Files.createDirectories(dir.resolve("tomcat")),
                     EmbeddedTomcat.NIO, connector -> {
                         connector.setSecure(true);
                         connector.setScheme("https");
                         connector.setProperty("SSLEnabled", "true");
                         SSLHostConfig tls = new SSLHostConfig();
                         SSLHostConfigCertificate key = new SSLHostConfigCertificate(tls,
                                 SSLHostConfigCertificate.Type.UNDEFINED);
                         key.setCertificateKeystoreFile(certificate.keyStore.toString());
                         key.setCertificateKeystorePassword(SelfSignedCertificate.PASSWORD);
                         key.setCertificateKeystoreType("PKCS12");
                         tls.addCertificate(key);
                         connector.addSslHostConfig(tls);
                     }, proxy, context -> { });
             RawWebSocket client = RawWebSocket.connectTls(tomcat.port(), "/ws/echo")) {
            byte[] big = new byte[1024 * 1024];
            new Random(3).nextBytes(big);
            client.sendFrame(RawWebSocket.BINARY, true, big);
            assertArrayEquals(big, client.readMessage());
            ThreadPoolExecutor executor = (ThreadPoolExecutor) tomcat.connector.getProtocolHandler().getExecutor();
            long before = executor.getCompletedTaskCount();
            for (int i = 0; i < 100; i++) {
                client.sendFrame(RawWebSocket.TEXT, true, ("m" + i).getBytes(StandardCharsets.UTF_8));
                assertEquals("m" + i, new String(client.readMessage(), StandardCharsets.UTF_8));
            }
            long tasks = executor.getCompletedTaskCount() - before;
            assertTrue(tasks >= 80, () -> "only " + tasks + " Tomcat tasks for 100 messages: not Tomcat's streams?");
            client.sendClose(1000, "bye");
            assertEquals("1000 bye", client.awaitClose());
        }
    }
}
