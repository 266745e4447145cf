package dev.wsproxy.servlet.testing;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wsproxy.testing.RawServerSide;
import dev.wsproxy.testing.RawUpstream;
import dev.wsproxy.testing.RawWebSocket;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every close code that may be sent (1000-1003, 1007-1014, samples of 3000-4999) crosses the proxy both
 * ways in every container, with raw sockets at both ends so no client or server library filters a code;
 * and an upstream whose TCP connection is reset is reported to the client as 1014. This matters most with
 * Tomcat's copy of the Jakarta API on the classpath, whose {@code CloseCodes.getCloseCode(1014)} throws.
 *
 * <p>The routes: {@code /raw/} goes to {@link #rawUpstream()}, started by {@link #startRawUpstream()}.
 */
public interface CloseCodeContract {

    /** The proxied port of the container under test. */
    int proxyPort();

    /** The raw upstream the container's {@code /raw/} route goes to; see {@link #startRawUpstream()}. */
    RawUpstream rawUpstream();

    /** What the raw upstream saw, by the tag the client sent first. */
    Map<String, String> CLOSES_AT_UPSTREAM = new ConcurrentHashMap<>();

    /** Tags for {@link #CLOSES_AT_UPSTREAM}. */
    AtomicInteger TAGS = new AtomicInteger();

    /**
     * Starts the upstream behind {@code /raw/}. Its first text frame decides: {@code close <code>} closes
     * with that code and reason {@code upstream <code>}; {@code reset} resets the TCP connection;
     * {@code tag <t>} records the next close frame it reads under {@code t} and answers it.
     */
    static RawUpstream startRawUpstream() throws IOException {
        return RawUpstream.scripted(connection -> {
            String command = connection.readSkippingControl().text();
            if (command.startsWith("close ")) {
                int code = Integer.parseInt(command.substring(6));
                connection.sendClose(code, "upstream " + code);
                while (connection.readSkippingControl().opcode != RawServerSide.CLOSE) {
                    // until the proxy answers the close
                }
            } else if (command.equals("reset")) {
                connection.reset();
            } else if (command.startsWith("tag ")) {
                RawServerSide.Frame close = connection.readSkippingControl();
                CLOSES_AT_UPSTREAM.put(command.substring(4), close.opcode == RawServerSide.CLOSE
                        ? close.closeCode() + " " + close.closeReason() : "not a close: opcode " + close.opcode);
                connection.sendClose(close.closeCode(), "");
            }
        });
    }

    /** Whether the proxy under test relays in tunnel mode (close frames cross unchanged). */
    boolean tunnelMode();

    /**
     * Whether message mode's upstream client is Tyrus ({@code messageClient("auto")} without ws-proxy-jetty on
     * the classpath); Jetty's client sends and accepts every valid code.
     */
    default boolean tyrusUpstream() {
        try {
            Class.forName("dev.wsproxy.jetty.JettyWebSocketProxy");
            return false;
        } catch (ClassNotFoundException e) {
            return true;
        }
    }

    /**
     * What the upstream receives when the client closes with {@code code}: the same in tunnel mode; in message
     * mode Tyrus, as the upstream client, sends 1000 for 1012/1013 (only servers send those, it says).
     * Containers that refuse those codes from a client in message mode override this.
     */
    default String expectedAtUpstream(int code, String reason) {
        if (!tunnelMode() && tyrusUpstream() && (code == 1012 || code == 1013)) {
            return "1000 " + reason;
        }
        return code + " " + reason;
    }

    /**
     * What the client receives when the upstream closes with {@code code}: the same, except in message mode
     * through Tyrus, whose frame parser refuses 1014 as a protocol error (it knows codes up to 1013), which the
     * proxy reports to the client as an upstream protocol failure (1014 with its own reason).
     */
    default String expectedAtClient(int code, String reason) {
        if (!tunnelMode() && tyrusUpstream() && code == 1014) {
            return "1014 upstream broke the WebSocket protocol";
        }
        return code + " " + reason;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(ints = {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014,
        3000, 3999, 4000, 4001, 4999})
    default void everyCloseCodeFromClientReachesUpstream(int code) throws Exception {
        String tag = Integer.toString(TAGS.incrementAndGet());
        try (RawWebSocket client = RawWebSocket.connect(proxyPort(), "/raw/close")) {
            client.sendFrame(RawWebSocket.TEXT, true, ("tag " + tag).getBytes(StandardCharsets.UTF_8));
            client.sendClose(code, "client " + code);
            await().atMost(Duration.ofSeconds(10)).until(() -> CLOSES_AT_UPSTREAM.containsKey(tag));
            assertEquals(expectedAtUpstream(code, "client " + code), CLOSES_AT_UPSTREAM.get(tag));
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(ints = {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014,
        3000, 3999, 4000, 4001, 4999})
    default void everyCloseCodeFromUpstreamReachesClient(int code) throws Exception {
        try (RawWebSocket client = RawWebSocket.connect(proxyPort(), "/raw/close")) {
            client.sendFrame(RawWebSocket.TEXT, true, ("close " + code).getBytes(StandardCharsets.UTF_8));
            assertEquals(expectedAtClient(code, "upstream " + code), client.awaitClose());
        }
    }

    @Test
    default void upstreamWhoseConnectionIsResetIsReportedToClientAs1014() throws Exception {
        try (RawWebSocket client = RawWebSocket.connect(proxyPort(), "/raw/reset")) {
            client.sendFrame(RawWebSocket.TEXT, true, "reset".getBytes(StandardCharsets.UTF_8));
            assertEquals("1014 upstream connection lost", client.awaitClose());
        }
    }
}
