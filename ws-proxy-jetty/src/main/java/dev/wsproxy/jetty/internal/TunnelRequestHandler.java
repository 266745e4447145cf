package dev.wsproxy.jetty.internal;

import dev.wsproxy.HandshakeRequest;
import dev.wsproxy.HandshakeResult;
import dev.wsproxy.WebSocketProxy;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpStream;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Invocable.InvocationType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves tunnel-mode handshakes in Jetty's core, before any servlet machinery: an HTTP/1.1 request with an
 * {@code Upgrade} header on a tunnel route is handed to {@link WebSocketProxy#handshakeAsync}, answered with the
 * refusal or the 101 when the upstream answered, and its endpoint handed to the tunnel. Everything else (other
 * paths, HTTP/2, message-mode routes, requests the proxy passes) goes to the wrapped handler unchanged, which
 * is a context mounted with {@code JettyWebSocketProxy.mount}: the same answers as through its filter, without
 * a filter chain, an async context and their completion per handshake. Used by {@code JettyProxyServer}, which
 * has no application filters to run first.
 *
 * <p>Threading: non-blocking ({@link #getInvocationType()}), so Jetty runs it on the selector thread that read
 * the request, without handing the connection to another thread. A tunnel handshake is started right there
 * (nothing before the upstream's answer blocks: DNS and an asynchronous authorizer complete later, elsewhere),
 * unless a synchronous authorizer is set ({@link WebSocketProxy#handshakesMayBlock()}); that handshake, and
 * every request for the wrapped handler, which may block, runs on the server's thread pool. The answer is
 * written on the thread that completes the upstream handshake. Thread-safe.
 */
public final class TunnelRequestHandler extends Handler.Wrapper {

    private static final Logger LOG = LoggerFactory.getLogger(TunnelRequestHandler.class);

    private final WebSocketProxy proxy;

    public TunnelRequestHandler(WebSocketProxy proxy, Handler next) {
        super(next);
        this.proxy = Objects.requireNonNull(proxy, "proxy");
    }

    @Override
    public InvocationType getInvocationType() {
        return InvocationType.NON_BLOCKING; // whatever may block is handed to the thread pool in handle()
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        if (request.getConnectionMetaData().getHttpVersion() != HttpVersion.HTTP_1_1
                || !request.getHeaders().contains(HttpHeader.UPGRADE)) {
            return next(request, response, callback);
        }
        HandshakeRequest handshake = toHandshakeRequest(request);
        if (!proxy.tunnels(handshake)) {
            return next(request, response, callback);
        }
        if (proxy.handshakesMayBlock()) {
            request.getComponents().getThreadPool().execute(() -> tunnel(request, response, callback, handshake));
        } else {
            tunnel(request, response, callback, handshake);
        }
        return true;
    }

    private void tunnel(Request request, Response response, Callback callback, HandshakeRequest handshake) {
        CompletableFuture<HandshakeResult> pending;
        try {
            pending = proxy.handshakeAsync(handshake).toCompletableFuture();
        } catch (RuntimeException e) {
            Response.writeError(request, response, callback, e);
            return;
        }
        if (pending.isDone() && !pending.isCompletedExceptionally()
                && pending.join().action() == HandshakeResult.Action.PASS) {
            next(request, response, callback); // not a WebSocket handshake after all
            return;
        }
        pending.whenComplete((result, failure) -> {
            if (result == null) {
                Response.writeError(request, response, callback, failure);
            } else {
                answer(request, response, callback, result);
            }
        });
    }

    /** The wrapped handler, on the server's thread pool (it may block); true: the callback will be completed. */
    private boolean next(Request request, Response response, Callback callback) {
        request.getComponents().getThreadPool().execute(() -> nextHere(request, response, callback));
        return true;
    }

    private void nextHere(Request request, Response response, Callback callback) {
        try {
            if (!super.handle(request, response, callback)) {
                Response.writeError(request, response, callback, HttpStatus.NOT_FOUND_404);
            }
        } catch (Throwable x) {
            Response.writeError(request, response, callback, x);
        }
    }

    /** Writes the refusal, or the 101 with the connection handed to the tunnel once it is written. */
    private static void answer(Request request, Response response, Callback callback, HandshakeResult result) {
        try {
            if (result.action() == HandshakeResult.Action.UPGRADE && result.isTunnel()) {
                request.setAttribute(HttpStream.UPGRADE_CONNECTION_ATTRIBUTE, new TunnelHandoff(
                        request.getConnectionMetaData().getConnection().getEndPoint(),
                        request.getConnectionMetaData().getConnector().getExecutor(), result));
                response.setStatus(HttpStatus.SWITCHING_PROTOCOLS_101);
                result.upgradeHeaders().forEach((name, values) -> values.forEach(
                        v -> response.getHeaders().add(name, v)));
                response.write(true, null, Callback.from(callback::succeeded, x -> {
                    result.upgradeFailed(x);
                    callback.failed(x);
                }));
            } else if (result.action() == HandshakeResult.Action.UPGRADE) {
                // tunnels() said tunnel: a message-mode result here is a proxy bug, never a silent hang
                IllegalStateException bug = new IllegalStateException("message-mode result for a tunnel route");
                result.upgradeFailed(bug);
                refuse(response, callback, 502, "the proxy could not upgrade this connection ("
                        + bug.getMessage() + ")", Map.of());
            } else {
                refuse(response, callback, result.action() == HandshakeResult.Action.PASS ? 404 : result.status(),
                        result.action() == HandshakeResult.Action.PASS ? "no route for this path" : result.reason(),
                        result.responseHeaders());
            }
        } catch (RuntimeException e) {
            LOG.debug("[{}] could not answer the client: {}", result.connectionId(), e.toString());
            if (result.action() == HandshakeResult.Action.UPGRADE) {
                result.upgradeFailed(e);
            }
            callback.failed(e);
        }
    }

    /** Status, headers and one line of plain text. */
    private static void refuse(Response response, Callback callback, int status, String reason,
                               Map<String, String> headers) {
        response.setStatus(status);
        headers.forEach((name, value) -> response.getHeaders().put(name, value));
        byte[] body = (reason + "\n").getBytes(StandardCharsets.UTF_8);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain;charset=utf-8");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, ByteBuffer.wrap(body), callback);
    }

    /** The proxy's container-neutral view of a core request (what the servlet filter builds from its request). */
    static HandshakeRequest toHandshakeRequest(Request request) {
        HttpURI uri = request.getHttpURI();
        String path = uri.getPath();
        HandshakeRequest.Builder b = HandshakeRequest.builder()
                .method(request.getMethod())
                .protocol(request.getConnectionMetaData().getProtocol())
                .scheme(uri.getScheme())
                .host(Request.getServerName(request))
                .port(Request.getServerPort(request))
                .contextPath("")
                .path(path == null || path.isEmpty() ? "/" : path)
                .query(uri.getQuery())
                .remoteAddress(Request.getRemoteAddr(request))
                .remotePort(Request.getRemotePort(request))
                .tunnelCapable(true);
        for (HttpField field : request.getHeaders()) {
            b.addHeader(field.getName(), field.getValue());
        }
        return b.build();
    }
}
