package dev.wsproxy.jetty;

import static dev.wsproxy.jetty.Handshakes.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wsproxy.ProxyRoute;
import dev.wsproxy.WebSocketProxy;
import dev.wsproxy.testing.RawHttp;
import dev.wsproxy.testing.RawUpstream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What the client gets when the upstream cannot be reached or does not say 101, before any upgrade. */
class UpstreamOutcomeTest {

    private static ProxyFixture f;
    private static RawUpstream silent;
    private static RawUpstream ok200;
    private static RawUpstream garbage;
    private static RawUpstream rogueSubprotocol;
    private static int closedPort;

    @BeforeAll
    static void start() throws Exception {
        silent = RawUpstream.silent();
        ok200 = RawUpstream.answering("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        garbage = RawUpstream.answering("SSH-2.0-OpenSSH_9.2\r\n\r\n");
        rogueSubprotocol = RawUpstream.switchingWith("Sec-WebSocket-Protocol: chat.rogue");
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        f = ProxyFixture.start(backend -> WebSocketProxy.builder()
                .route(ProxyRoute.prefix("/ws/").upstream(backend.uri("/")).build())
                .route(ProxyRoute.prefix("/refused/").upstream("ws://127.0.0.1:" + closedPort + "/").build())
                .route(ProxyRoute.prefix("/silent/").upstream(silent.uri("/"))
                        .connectTimeout(Duration.ofMillis(500)).build())
                .route(ProxyRoute.prefix("/ok200/").upstream(ok200.uri("/")).build())
                .route(ProxyRoute.prefix("/garbage/").upstream(garbage.uri("/")).build())
                .route(ProxyRoute.prefix("/rogue/").upstream(rogueSubprotocol.uri("/")).build())
                .detailedErrors(true) // these tests read the full reasons; UpstreamDownTest checks the generic body
                .build());
    }

    @AfterAll
    static void stop() throws Exception {
        f.close();
        silent.close();
        ok200.close();
        garbage.close();
        rogueSubprotocol.close();
    }

    @Test
    void refusedConnectionGives502() throws Exception {
        answers(get("/refused/x"), 502, "refused the connection (is the backend running?)");
    }

    @Test
    void silentUpstreamGives504AtTheDeadline() throws Exception {
        long start = System.nanoTime();
        answers(get("/silent/x"), 504, "did not complete the WebSocket handshake within 500ms");
        long ms = Duration.ofNanos(System.nanoTime() - start).toMillis();
        assertTrue(ms >= 450 && ms < 5_000, "answered after " + ms + " ms");
        assertTrue(silent.accepted() >= 1, "the upstream accepted the TCP connection");
    }

    @Test
    void nonUpgradeAnswerGives502() throws Exception {
        answers(get("/ok200/x"), 502, "HTTP 200 instead of 101");
    }

    @Test
    void garbageAnswerGives502() throws Exception {
        answers(get("/garbage/x"), 502, "upstream ws://127.0.0.1:" + garbage.port()
                + " did not answer the WebSocket handshake with a valid HTTP response");
    }

    @Test
    void upstreamPickingAnUnofferedSubprotocolGives502() throws Exception {
        answers(get("/rogue/x").plus("Sec-WebSocket-Protocol: chat.v1"), 502, "chat.rogue");
    }

    @Test
    void upstreamPickingASubprotocolWhenNoneWasOfferedGives502() throws Exception {
        answers(get("/rogue/x"), 502, "chat.rogue");
    }

    @ParameterizedTest(name = "upstream {0} reaches the client")
    @ValueSource(ints = {401, 403, 404, 409, 429})
    void upstreamClientErrorIsPassedOn(int status) throws Exception {
        answers(get("/ws/status-" + status), status, "answered the WebSocket handshake with HTTP " + status);
        assertEquals("/status-" + status, f.backend.takeHandshake().path);
    }

    @ParameterizedTest(name = "upstream {0} becomes 502")
    @ValueSource(ints = {500, 503})
    void upstreamServerErrorBecomes502(int status) throws Exception {
        answers(get("/ws/status-" + status), 502, "HTTP " + status + " instead of 101");
        f.backend.takeHandshake();
    }

    private static void answers(Handshakes request, int status, String reason) throws Exception {
        RawHttp.Response response = RawHttp.exchange(f.server.port(), request.lines());
        assertEquals(status, response.status, response.toString());
        assertTrue(response.body.contains(reason), "body: " + response.body);
        assertEquals(0, f.proxy.activeConnections(), "no relay may outlive a refused handshake");
    }
}
