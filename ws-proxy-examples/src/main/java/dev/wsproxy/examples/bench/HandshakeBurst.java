package dev.wsproxy.examples.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Opens many idle WebSocket connections from one selector thread (the caller's), at most {@code concurrency}
 * handshakes in flight: connect, write the upgrade request, read the response head, check its {@code 101}.
 * Non-blocking, so the generator's own cost per handshake is a few system calls and no thread switch.
 * The connections stay open (and unread) until {@link #closeAll}. Not thread-safe.
 */
final class HandshakeBurst {

    private final URI target;
    private final int count;
    private final int concurrency;
    final List<SocketChannel> open = new ArrayList<>();
    int failed;
    String firstFailure;

    HandshakeBurst(URI target, int count, int concurrency) {
        this.target = target;
        this.count = count;
        this.concurrency = concurrency;
    }

    /** One handshake in flight. */
    private static final class Pending {
        final ByteBuffer request;
        final ByteBuffer response = ByteBuffer.allocate(1024);

        Pending(ByteBuffer request) {
            this.request = request;
        }
    }

    /** Runs until every handshake succeeded or failed; throws when {@code limit} passes first. */
    void run(Duration limit) throws IOException {
        long deadline = System.nanoTime() + limit.toNanos();
        InetSocketAddress address = new InetSocketAddress(target.getHost(), target.getPort());
        int started = 0;
        int inFlight = 0;
        try (Selector selector = Selector.open()) {
            while (open.size() + failed < count) {
                while (inFlight < concurrency && started < count) {
                    started++;
                    inFlight++;
                    SocketChannel channel = SocketChannel.open();
                    try {
                        channel.configureBlocking(false);
                        channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                        Pending p = new Pending(ByteBuffer.wrap(RawConnection.upgradeRequest(target)));
                        boolean connected = channel.connect(address);
                        channel.register(selector, connected ? SelectionKey.OP_WRITE : SelectionKey.OP_CONNECT, p);
                    } catch (IOException e) {
                        fail(channel, e);
                        inFlight--;
                    }
                }
                if (System.nanoTime() > deadline) {
                    throw new IOException(open.size() + " of " + count + " handshakes done within " + limit);
                }
                selector.select(100);
                for (SelectionKey key : selector.selectedKeys()) {
                    if (step(key)) {
                        inFlight--;
                    }
                }
                selector.selectedKeys().clear();
            }
        }
    }

    /** Advances one handshake; true when it ended (opened or failed). */
    private boolean step(SelectionKey key) {
        SocketChannel channel = (SocketChannel) key.channel();
        Pending p = (Pending) key.attachment();
        try {
            if (key.isConnectable()) {
                channel.finishConnect();
                key.interestOps(SelectionKey.OP_WRITE);
                return false;
            }
            if (key.isWritable()) {
                channel.write(p.request);
                if (!p.request.hasRemaining()) {
                    key.interestOps(SelectionKey.OP_READ);
                }
                return false;
            }
            if (channel.read(p.response) < 0 || !p.response.hasRemaining()) {
                throw new IOException("no complete upgrade response (" + p.response.position() + " bytes)");
            }
            String head = new String(p.response.array(), 0, p.response.position(), StandardCharsets.ISO_8859_1);
            if (!head.contains("\r\n\r\n")) {
                return false;
            }
            if (!head.startsWith("HTTP/1.1 101")) {
                throw new IOException("upgrade refused: " + head.lines().findFirst().orElse(""));
            }
            key.cancel();
            open.add(channel);
            return true;
        } catch (IOException e) {
            key.cancel();
            fail(channel, e);
            return true;
        }
    }

    private void fail(SocketChannel channel, IOException e) {
        failed++;
        if (firstFailure == null) {
            firstFailure = e.toString();
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing only
        }
    }

    /** A masked close frame (1000) to each, where the socket takes it at once, then the socket is closed. */
    void closeAll() {
        ByteBuffer close = ByteBuffer.wrap(RawConnection.maskedFrame(8, new byte[] {0x03, (byte) 0xe8}));
        for (SocketChannel channel : open) {
            try {
                channel.write(close.duplicate());
            } catch (IOException e) {
                // closing anyway
            }
            try {
                channel.close();
            } catch (IOException e) {
                // closed
            }
        }
        open.clear();
    }
}
