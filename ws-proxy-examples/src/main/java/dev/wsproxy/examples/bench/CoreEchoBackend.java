package dev.wsproxy.examples.bench;

import java.time.Duration;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.core.CloseStatus;
import org.eclipse.jetty.websocket.core.Configuration;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.eclipse.jetty.websocket.core.Frame;
import org.eclipse.jetty.websocket.core.FrameHandler;
import org.eclipse.jetty.websocket.core.OpCode;
import org.eclipse.jetty.websocket.core.server.ServerUpgradeRequest;
import org.eclipse.jetty.websocket.core.server.ServerUpgradeResponse;
import org.eclipse.jetty.websocket.core.server.WebSocketNegotiator;
import org.eclipse.jetty.websocket.core.server.WebSocketUpgradeHandler;

/**
 * The benchmark's backend: echoes every data frame as it arrives (same opcode, same fin bit, same payload) on
 * any path of {@code ws://127.0.0.1:<port>/}, with Jetty's core WebSocket API. Frame by frame and demand-driven,
 * so it never buffers a message and never reads faster than its peer takes the echoes; it is the same backend
 * for every target, so its own cost is in every figure, the direct one included.
 */
final class CoreEchoBackend implements AutoCloseable {

    /** Larger than any frame the benchmark sends (bulk messages go as one 1 MiB frame when direct). */
    static final int MAX_FRAME = 64 * 1024 * 1024;

    private final Server server;
    private final ServerConnector connector;

    private CoreEchoBackend() {
        QueuedThreadPool threads = new QueuedThreadPool();
        threads.setName("bench-backend");
        server = new Server(threads);
        connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        connector.setAcceptQueueSize(1024);
        server.addConnector(connector);
        WebSocketUpgradeHandler upgrades = new WebSocketUpgradeHandler();
        upgrades.addMapping("/*", new WebSocketNegotiator() {
            @Override
            public FrameHandler negotiate(ServerUpgradeRequest request, ServerUpgradeResponse response, Callback callback) {
                return new Echo();
            }

            @Override
            public void customize(Configuration configuration) {
                configure(configuration);
            }
        });
        server.setHandler(upgrades);
    }

    static void configure(Configuration configuration) {
        configuration.setIdleTimeout(Duration.ZERO);
        configuration.setMaxFrameSize(MAX_FRAME);
        configuration.setMaxBinaryMessageSize(MAX_FRAME);
        configuration.setMaxTextMessageSize(MAX_FRAME);
        configuration.setInputBufferSize(64 * 1024);
    }

    static CoreEchoBackend start() throws Exception {
        CoreEchoBackend backend = new CoreEchoBackend();
        backend.server.start();
        return backend;
    }

    int port() {
        return connector.getLocalPort();
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }

    /** One connection: the next frame is read only once the echo of this one is written. */
    private static final class Echo implements FrameHandler {
        private volatile CoreSession session;

        @Override
        public void onOpen(CoreSession coreSession, Callback callback) {
            session = coreSession;
            callback.succeeded();
            coreSession.demand();
        }

        @Override
        public void onFrame(Frame frame, Callback callback) {
            CoreSession s = session;
            if (frame.isDataFrame()) {
                Frame echo = new Frame(frame.getOpCode(), frame.isFin(), frame.getPayload());
                s.sendFrame(echo, Callback.from(() -> {
                    callback.succeeded();
                    s.demand();
                }, callback::failed), false);
                return;
            }
            if (frame.getOpCode() == OpCode.PING) {
                // RFC 6455 5.5.2: answer a ping with a pong of the same payload (a proxy's keepalive expects one)
                s.sendFrame(new Frame(OpCode.PONG, true, frame.getPayload()), Callback.from(() -> {
                    callback.succeeded();
                    s.demand();
                }, callback::failed), false);
                return;
            }
            callback.succeeded();
            if (frame.getOpCode() != OpCode.CLOSE) {
                s.demand();
            }
        }

        @Override
        public void onError(Throwable cause, Callback callback) {
            callback.succeeded();
        }

        @Override
        public void onClosed(CloseStatus closeStatus, Callback callback) {
            callback.succeeded();
        }
    }
}
