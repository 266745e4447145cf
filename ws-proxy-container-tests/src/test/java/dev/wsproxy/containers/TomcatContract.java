package dev.wsproxy.containers;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.wsproxy.WebSocketProxy;
import dev.wsproxy.servlet.testing.AppServlet;
import dev.wsproxy.servlet.testing.ContainerContract;
import dev.wsproxy.testing.RawWebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.catalina.util.ServerInfo;
import org.apache.coyote.AbstractProtocol;
import org.apache.tomcat.util.threads.ThreadPoolExecutor;
import org.junit.jupiter.api.Test;

/**
 * The container contract on embedded Tomcat, registered the way a Tomcat user would: one line in a
 * {@code ServletContainerInitializer}. Subclasses name the Tomcat version the classpath must hold, so a
 * build that silently ran the wrong Tomcat fails.
 */
abstract class TomcatContract extends ContainerContract {

    private Connector connector;

    /** The connector's protocol, as {@code new Connector(protocol)} takes it. */
    String connectorProtocol() {
        return EmbeddedTomcat.NIO;
    }

    /**
     * Whether a tunnel reads this connector's connections on its own selector loop (plain NIO), rather than
     * with asynchronous reads that complete on Tomcat's pool (NIO2).
     */
    boolean tunnelReadsTheSocketItself() {
        return true;
    }

    /** E.g. {@code "11"}: the start of {@code ServerInfo.getServerNumber()}; the pom's surefire executions
     * say which line each one has on its classpath ({@code wsproxy.tomcat.line}). */
    abstract String tomcatLine();

    /**
     * In message mode Tomcat's endpoint answers a client's 1012, 1013 or 1014 (codes only servers send) with
     * 1002 and reports that; a tunnel does not parse them.
     */
    @Override
    public String expectedAtUpstream(int code, String reason) {
        return !tunnelMode() && code >= 1012 && code <= 1014 ? "1002 " + reason
                : super.expectedAtUpstream(code, reason);
    }

    @Override
    protected Deployment deploy(WebSocketProxy proxy) throws Exception {
        assumeTrue(tomcatLine().equals(System.getProperty("wsproxy.tomcat.line")),
                () -> "Tomcat " + tomcatLine() + " runs in its own surefire execution");
        String expectedVersionPrefix = tomcatLine() + ".";
        assertTrue(ServerInfo.getServerNumber().startsWith(expectedVersionPrefix),
                () -> "expected Tomcat " + expectedVersionPrefix + "x on the classpath but found "
                        + ServerInfo.getServerNumber());
        EmbeddedTomcat tomcat = EmbeddedTomcat.start(Files.createTempDirectory("tomcat-contract"),
                connectorProtocol(), proxy, context -> {
                    Tomcat.addServlet(context, "app", new AppServlet());
                    context.addServletMappingDecoded(APP_SERVLET_MAPPING, "app");
                });
        this.connector = tomcat.connector;
        return new Deployment() {
            @Override
            public int port() {
                return tomcat.port();
            }

            @Override
            public void close() throws Exception {
                tomcat.close();
            }
        };
    }

    /**
     * Tunnel mode: on plain NIO, 200 echoed messages take (next to) no task on Tomcat's executor, as the tunnel
     * reads and writes the socket on its own loop; on NIO2 each asynchronous read completes on Tomcat's pool.
     */
    @Test
    void tunnelMessagesTakeTomcatThreadsOnlyWhereTheSocketCannotBeHandedOver() throws Exception {
        assumeTrue(tunnelMode(), "message mode reads through Tomcat's WebSocket");
        ThreadPoolExecutor executor = (ThreadPoolExecutor) connector.getProtocolHandler().getExecutor();
        try (RawWebSocket client = RawWebSocket.connect(proxyPort(), "/ws/echo")) {
            client.sendFrame(RawWebSocket.TEXT, true, "warm".getBytes(StandardCharsets.UTF_8));
            assertEquals("warm", new String(client.readMessage(), StandardCharsets.UTF_8));
            long before = executor.getCompletedTaskCount();
            for (int i = 0; i < 200; i++) {
                client.sendFrame(RawWebSocket.TEXT, true, ("m" + i).getBytes(StandardCharsets.UTF_8));
                assertEquals("m" + i, new String(client.readMessage(), StandardCharsets.UTF_8));
            }
            long tasks = executor.getCompletedTaskCount() - before;
            if (tunnelReadsTheSocketItself()) {
                assertTrue(tasks < 20, () -> tasks + " Tomcat tasks for 200 echoed messages");
            } else {
                assertTrue(tasks >= 150, () -> "only " + tasks + " Tomcat tasks for 200 echoed messages");
            }
        }
    }

    /**
     * Tunnel mode: tunnels ended every way (the client's close, the upstream's close, a client that vanishes, the
     * upstream's connection reset) leave Tomcat no connection counted and no upgrade processor waiting: the
     * close reached Tomcat's own bookkeeping ({@code maxConnections} and its processor list).
     */
    @Test
    void endedTunnelsLeaveTomcatNoConnectionAndNoProcessor() throws Exception {
        assumeTrue(tunnelMode(), "message mode closes through Tomcat's WebSocket");
        AbstractProtocol<?> protocol = (AbstractProtocol<?>) connector.getProtocolHandler();
        await().atMost(Duration.ofSeconds(10)).until(() -> protocol.getConnectionCount() <= 1);
        long connectionsBefore = protocol.getConnectionCount();
        int processorsBefore = protocol.getWaitingProcessorCount();
        for (int i = 0; i < 25; i++) {
            try (RawWebSocket client = RawWebSocket.connect(proxyPort(), "/raw/close")) {
                client.sendClose(1000, "client done");
                assertEquals("1000 client done", client.awaitClose());
            }
            try (RawWebSocket client = RawWebSocket.connect(proxyPort(), "/raw/close")) {
                client.sendFrame(RawWebSocket.TEXT, true, "close 4000".getBytes(StandardCharsets.UTF_8));
                assertEquals("4000 upstream 4000", client.awaitClose());
            }
            RawWebSocket.connect(proxyPort(), "/ws/echo").abort();
            try (RawWebSocket client = RawWebSocket.connect(proxyPort(), "/raw/reset")) {
                client.sendFrame(RawWebSocket.TEXT, true, "reset".getBytes(StandardCharsets.UTF_8));
                assertEquals("1014 upstream connection lost", client.awaitClose());
            }
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertTrue(protocol.getConnectionCount() <= connectionsBefore,
                    () -> protocol.getConnectionCount() + " connections counted, " + connectionsBefore + " before");
            assertTrue(protocol.getWaitingProcessorCount() <= processorsBefore,
                    () -> protocol.getWaitingProcessorCount() + " processors waiting, " + processorsBefore + " before");
        });
    }
}
