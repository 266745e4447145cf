package dev.wsproxy.jetty;

import dev.wsproxy.testing.SelfSignedCertificate;
import java.net.URI;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.HttpClientTransport;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http2.client.transport.HttpClientTransportOverHTTP2;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;

/**
 * Jetty 12's WebSocket client over HTTP/1.1 or HTTP/2 (RFC 8441 extended CONNECT), trusting one keystore:
 * the client the JDK cannot be (its WebSocket client speaks HTTP/1.1 only).
 *
 * <p>Over HTTP/2 Jetty's HttpClient (12.1.8) hands the CONNECT stream to the WebSocket session first and only
 * then lets the response's content listeners read that same stream; with no listener it reads and discards
 * "the response body". A WebSocket frame that arrives in between (an upstream answering within a millisecond of
 * the client's first send) was read as that body and lost: the intermittent "no message within 10s" of the HTTP/2
 * tests. So the client's requests carry a content listener that leaves a successful CONNECT's stream to the
 * WebSocket session.
 */
public final class JettyWsClient implements AutoCloseable {

    private final WebSocketClient client;
    final BlockingQueue<String> texts = new LinkedBlockingQueue<>();
    final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
    Session session;

    private JettyWsClient(WebSocketClient client) {
        this.client = client;
    }

    /** @param trustStore a PKCS#12 keystore whose certificate to trust, or {@code null} for plain ws:// */
    static JettyWsClient start(boolean http2, Path trustStore) throws Exception {
        ClientConnector connector = new ClientConnector();
        if (trustStore != null) {
            SslContextFactory.Client ssl = new SslContextFactory.Client();
            ssl.setTrustStorePath(trustStore.toString());
            ssl.setTrustStorePassword(SelfSignedCertificate.PASSWORD);
            ssl.setTrustStoreType("PKCS12");
            connector.setSslContextFactory(ssl);
        }
        HttpClientTransport transport = http2
                ? new HttpClientTransportOverHTTP2(new HTTP2Client(connector))
                : new HttpClientTransportOverHTTP(connector);
        HttpClient http = new HttpClient(transport) {
            @Override
            public Request newRequest(URI uri) {
                return super.newRequest(uri).onResponseContentSource(JettyWsClient::tunnelBytesStayWithWebSocket);
            }
        };
        WebSocketClient client = new WebSocketClient(http);
        client.setMaxTextMessageSize(16 * 1024 * 1024);
        client.start();
        return new JettyWsClient(client);
    }

    /** Reads nothing of an established HTTP/2 tunnel (its bytes are WebSocket frames); drains any other body. */
    private static void tunnelBytesStayWithWebSocket(Response response, Content.Source content) {
        boolean tunnel = HttpMethod.CONNECT.is(response.getRequest().getMethod()) && response.getStatus() == 200;
        if (!tunnel) {
            Content.Source.consumeAll(content, org.eclipse.jetty.util.Callback.NOOP);
        }
    }

    /** Connects and returns the open session. */
    Session connect(URI uri) throws Exception {
        session = client.connect(new Listener(), uri).get(20, TimeUnit.SECONDS);
        return session;
    }

    /** Connects offering the given {@code Sec-WebSocket-Extensions} values, in order. */
    Session connect(URI uri, String... extensionOffers) throws Exception {
        ClientUpgradeRequest request = new ClientUpgradeRequest();
        for (String offer : extensionOffers) {
            request.addExtensions(offer);
        }
        session = client.connect(new Listener(), uri, request).get(20, TimeUnit.SECONDS);
        return session;
    }

    /** The extensions the server's 101 accepted, as header values. */
    java.util.List<String> negotiatedExtensions() {
        return session.getUpgradeResponse().getExtensions().stream().map(Object::toString).toList();
    }

    /** Public because Jetty invokes listener methods through a public method-handle lookup. */
    public final class Listener implements Session.Listener.AutoDemanding {
        @Override
        public void onWebSocketText(String message) {
            texts.add(message);
        }

        @Override
        public void onWebSocketClose(int statusCode, String reason) {
            closeCode.complete(statusCode);
        }
    }

    void send(String text) {
        session.sendText(text, Callback.NOOP);
    }

    String next() throws InterruptedException {
        String text = texts.poll(10, TimeUnit.SECONDS);
        if (text == null) {
            throw new AssertionError("no message within 10s");
        }
        return text;
    }

    @Override
    public void close() throws Exception {
        client.stop();
    }
}
