package dev.wsproxy.servlet.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wsproxy.ProxyRoute;
import dev.wsproxy.WebSocketProxy;
import dev.wsproxy.testing.RawHttp;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerContainer;
import jakarta.websocket.server.ServerEndpointConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Route policy cannot be bypassed by spelling a path differently. The proxy has a protected route
 * {@code /ws/admin/} (only {@code https://app.example.com} may connect) and an open route {@code /ws/}; the
 * upstream is a stock servlet container with one servlet mapped to {@code /admin/*} (the protected endpoint)
 * and one to {@code /}. Every spelling of {@code /ws/admin/x} is sent with {@code Origin: https://evil.example}:
 * each must either match the protected route (and get its 403), be refused (400/404), or reach the upstream's
 * <em>other</em> servlet; the {@code /admin/*} servlet must never be reached. Subclasses supply the upstream
 * container and the container the proxy runs in.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class PathSpellingContract {

    /** Spellings of {@code /ws/admin/x} (and of paths servlet mappings send to {@code /admin/*}). */
    public static final List<String> SPELLINGS = List.of(
            "/ws/admin/x", "/ws/admin", "/ws/admin/", "/ws/admin;", "/ws/admin;p=1/x", "/ws/admin;/x",
            "/ws;/admin/x", "/ws/;x/admin/x", "/ws/%61dmin/x", "/ws/adm%69n/x", "/ws/%61%64%6d%69%6e/x",
            "/%77s/admin/x", "/ws/./admin/x", "/ws/././admin/x", "/./ws/admin/x", "/ws/%2e/admin/x",
            "/ws/public/../admin/x", "/ws/public/%2e%2e/admin/x", "/ws/public/.%2E/admin/x",
            "/ws/public/..;/admin/x", "/ws/public/..;x/admin/x", "/ws/public/%2e%2e%3b/admin/x",
            "/ws/public/..%3B/admin/x", "/ws/public/%252e%252e/admin/x", "/ws/%252e/admin/x",
            "/ws/public/..%2fadmin/x", "/ws/public%2F..%2Fadmin/x", "/ws/admin%2Fx", "/ws/admin%2fx",
            "/ws/%2Fadmin/x", "//ws/admin/x", "/ws//admin/x", "/ws///admin//x", "/ws/admin/.", "/ws/admin/x/..",
            "/ws/admin\\x", "/ws/admin%5Cx", "/ws/public%5C..%5Cadmin/x", "/ws/admin%3b/x", "/ws/admin%3Bp=1/x",
            "/ws/admin%20/x", "/ws/admin%00/x", "/ws/admin%252Fx", "/ws/%2561dmin/x", "/ws/ADMIN/x",
            "/ws/Admin/x", "/ws/admin.;/x", "/ws/admin?x=/admin/");

    protected static final String ALLOWED_ORIGIN = "https://app.example.com";
    private static final String EVIL_ORIGIN = "https://evil.example";

    private final List<String> adminHits = new CopyOnWriteArrayList<>();
    private final List<String> openHits = new CopyOnWriteArrayList<>();
    private AutoCloseable upstream;
    private WebSocketProxy proxy;
    private Front front;

    /** A running server with a port; closing it stops it. */
    public interface Front extends AutoCloseable {
        int port();
    }

    /**
     * Starts a stock container on 127.0.0.1 with {@code admin} mapped to {@code /admin/*} and {@code open} to
     * {@code /}, with its WebSocket support installed (the servlets upgrade through its {@code ServerContainer}).
     */
    protected abstract Front startUpstream(HttpServlet admin, HttpServlet open) throws Exception;

    /** Starts a container on 127.0.0.1 serving {@code proxy}. */
    protected abstract Front startProxy(WebSocketProxy proxy) throws Exception;

    @BeforeAll
    void start() throws Exception {
        Front backend = startUpstream(new RecordingUpgradeServlet(adminHits), new RecordingUpgradeServlet(openHits));
        upstream = backend;
        String base = "ws://127.0.0.1:" + backend.port();
        proxy = WebSocketProxy.builder()
                .route(ProxyRoute.prefix("/ws/admin/").upstream(base + "/admin/").allowedOrigins(ALLOWED_ORIGIN).build())
                .route(ProxyRoute.prefix("/ws/").upstream(base + "/").build())
                .build();
        front = startProxy(proxy);
    }

    @AfterAll
    void stop() throws Exception {
        front.close();
        proxy.close();
        upstream.close();
    }

    @BeforeEach
    void forgetHits() {
        adminHits.clear();
        openHits.clear();
    }

    @Test
    void theProtectedEndpointIsReachableWithTheAllowedOrigin() throws Exception {
        assertEquals(101, handshake("/ws/admin/x", ALLOWED_ORIGIN).status);
        assertEquals(List.of("/admin/x"), adminHits, "the test's detector of admin hits works");
    }

    @Test
    void theOpenRouteServesOtherPathsToAnyOrigin() throws Exception {
        assertEquals(101, handshake("/ws/public/x", EVIL_ORIGIN).status);
        assertEquals(List.of("/public/x"), openHits);
    }

    @Test
    void noSpellingReachesTheProtectedEndpointThroughTheOpenRoute() throws Exception {
        List<String> outcomes = new ArrayList<>();
        List<String> breaches = new ArrayList<>();
        for (String spelling : SPELLINGS) {
            adminHits.clear();
            openHits.clear();
            RawHttp.Response response = handshake(spelling, EVIL_ORIGIN);
            String outcome = spelling + " -> " + response.status
                    + (response.status == 101 ? " upstream " + openHits : "");
            outcomes.add(outcome);
            boolean refusedOrPolicy = response.status == 403 || response.status == 400 || response.status == 404;
            boolean harmless101 = response.status == 101 && openHits.size() == 1;
            if (!adminHits.isEmpty() || !(refusedOrPolicy || harmless101)) {
                breaches.add(outcome + " admin hits " + adminHits);
            }
        }
        assertTrue(breaches.isEmpty(), "bypasses: " + breaches + "\nall: " + String.join("\n", outcomes));
        assertTrue(SPELLINGS.size() >= 30);
    }

    private RawHttp.Response handshake(String path, String origin) throws Exception {
        return RawHttp.exchange(front.port(), "GET " + path + " HTTP/1.1", "Host: 127.0.0.1:" + front.port(),
                "Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
                "Sec-WebSocket-Version: 13", "Origin: " + origin);
    }

    /** Records the path (inside the context, decoded as the container maps it) and upgrades to a quiet endpoint. */
    static final class RecordingUpgradeServlet extends HttpServlet {
        private static final long serialVersionUID = 1L;
        private final transient List<String> hits;

        RecordingUpgradeServlet(List<String> hits) {
            this.hits = hits;
        }

        @Override
        protected void service(HttpServletRequest request, HttpServletResponse response) throws java.io.IOException {
            hits.add(request.getServletPath() + (request.getPathInfo() == null ? "" : request.getPathInfo()));
            ServerContainer container = (ServerContainer) request.getServletContext()
                    .getAttribute(ServerContainer.class.getName());
            ServerEndpointConfig config = ServerEndpointConfig.Builder.create(QuietEndpoint.class, "/")
                    .configurator(new ServerEndpointConfig.Configurator() {
                        @Override
                        public <T> T getEndpointInstance(Class<T> endpointClass) {
                            return endpointClass.cast(new QuietEndpoint());
                        }
                    }).build();
            try {
                container.upgradeHttpToWebSocket(request, response, config, Map.of());
            } catch (Exception e) {
                response.sendError(500, e.toString());
            }
        }
    }

    /** Accepts the connection and does nothing. */
    public static final class QuietEndpoint extends Endpoint {
        @Override
        public void onOpen(Session session, EndpointConfig config) {
            // the proxy closes it
        }
    }
}
