package dev.wsproxy.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A TLS server whose certificate expired (made with the JDK's {@code keytool}, valid from 10 days ago for 2 days):
 * the check reports the expiry with the renewal fix, goes no further than a real client would, and exits 1.
 */
class ExpiredCertificateCheckTest {

    private static final String PASSWORD = "test-secret";

    @Test
    void expiredCertificateFailsWithItsDateAndTheFix(@TempDir Path dir) throws Exception {
        Path keyStore = dir.resolve("expired.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1", "-startdate", "-10d",
                "-validity", "2", "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost",
                "-storetype", "PKCS12", "-keystore", keyStore.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD)
                .redirectErrorStream(true).start();
        byte[] output = keytool.getInputStream().readAllBytes();
        assertTrue(keytool.waitFor(60, TimeUnit.SECONDS) && keytool.exitValue() == 0,
                () -> "keytool failed: " + new String(output, StandardCharsets.UTF_8));
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStore)) {
            store.load(in, PASSWORD.toCharArray());
        }
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, PASSWORD.toCharArray());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), null, null);
        try (SSLServerSocket server = (SSLServerSocket) context.getServerSocketFactory()
                .createServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                while (!server.isClosed()) {
                    try (SSLSocket socket = (SSLSocket) server.accept()) {
                        socket.startHandshake();
                        socket.getInputStream().read(); // until the check hangs up
                    } catch (Exception e) {
                        // the check hung up; take the next one
                    }
                }
            }, "expired-tls-server");
            acceptor.setDaemon(true);
            acceptor.start();
            CheckReport report = new WebSocketCheck(URI.create("wss://127.0.0.1:" + server.getLocalPort() + "/ws"))
                    .run();
            String text = report.toText();
            assertFalse(report.ok(), text);
            assertTrue(report.step("tls").ok(), text);
            CheckReport.Step expiry = report.step("certificate-expiry");
            assertFalse(expiry.ok(), text);
            assertTrue(expiry.detail().contains("expired on"), expiry.detail());
            assertTrue(expiry.fix().contains("renew"), expiry.fix());
            assertTrue(report.step("certificate-name").ok(), text);
            assertNull(report.step("upgrade"), "a real client stops at an expired certificate:\n" + text);
            assertEquals(1, CheckMain.run(new String[] {"wss://127.0.0.1:" + server.getLocalPort() + "/ws"},
                    new java.io.PrintStream(java.io.OutputStream.nullOutputStream()),
                    new java.io.PrintStream(java.io.OutputStream.nullOutputStream())));
        }
    }
}
