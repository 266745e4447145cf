package dev.wsproxy.examples.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Locale;

/**
 * The benchmark's default backend: a WebSocket echo server on one NIO selector thread that streams every
 * frame back as it arrives (same FIN bit and opcode, payload unmasked a word at a time, pings answered with
 * pongs, a close echoed and the socket closed), without ever holding a whole message. It reads from a
 * connection only while its echo output is written, so a slow reader slows its own sender, nothing else.
 * Cheap on purpose: the backend is in every figure, the direct one included, and on 2 cores every
 * microsecond it spends is taken from the proxy being measured. (The Jetty core echo server,
 * {@link CoreEchoBackend}, is the alternative: {@code --backend=jetty}.)
 *
 * <p>Threading: everything runs on the selector thread; {@link #close()} may be called from any thread.
 */
final class RawEchoBackend implements AutoCloseable {

    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    private static final int BUFFER = 64 * 1024;

    private final Selector selector;
    private final ServerSocketChannel server;
    private final Thread thread;
    private volatile boolean running = true;

    private RawEchoBackend() throws IOException {
        selector = Selector.open();
        server = ServerSocketChannel.open();
        server.bind(new InetSocketAddress("127.0.0.1", 0), 4096);
        server.configureBlocking(false);
        server.register(selector, SelectionKey.OP_ACCEPT);
        thread = new Thread(this::loop, "bench-raw-echo");
    }

    static RawEchoBackend start() throws IOException {
        RawEchoBackend backend = new RawEchoBackend();
        backend.thread.start();
        return backend;
    }

    int port() {
        return server.socket().getLocalPort();
    }

    @Override
    public void close() throws Exception {
        running = false;
        selector.wakeup();
        thread.join(10_000);
    }

    private void loop() {
        try {
            while (running) {
                selector.select();
                for (SelectionKey key : selector.selectedKeys()) {
                    if (key.isAcceptable()) {
                        accept();
                    } else {
                        Echo echo = (Echo) key.attachment();
                        try {
                            echo.serve(key);
                        } catch (IOException | RuntimeException e) {
                            echo.closeNow();
                        }
                    }
                }
                selector.selectedKeys().clear();
            }
            for (SelectionKey key : selector.keys()) {
                key.channel().close();
            }
            selector.close();
        } catch (IOException e) {
            System.err.println("raw echo backend stopped: " + e);
        }
    }

    private void accept() throws IOException {
        for (SocketChannel c; (c = server.accept()) != null; ) {
            c.configureBlocking(false);
            c.setOption(StandardSocketOptions.TCP_NODELAY, true);
            Echo echo = new Echo(c);
            echo.key = c.register(selector, SelectionKey.OP_READ, echo);
        }
    }

    /** One connection: its handshake, then frames streamed back. */
    private static final class Echo {
        private final SocketChannel channel;
        private SelectionKey key;
        /** Allocated when the connection is accepted (handshake) or carries data; idle connections hold none. */
        private ByteBuffer in = ByteBuffer.allocate(2048);
        private ByteBuffer out;
        private boolean open;
        private boolean closing;
        // the frame being echoed
        private long payloadLeft;
        private boolean skipping;
        private boolean closeFrame;
        private final byte[] mask = new byte[4];
        private long maskOffset;

        Echo(SocketChannel channel) {
            this.channel = channel;
        }

        void serve(SelectionKey key) throws IOException {
            if (out != null && out.position() > 0 && !writeOut()) {
                return; // still writing: read nothing more until the echo is out
            }
            if (closing) {
                closeNow();
                return;
            }
            if (open) {
                buffers();
            }
            int n = channel.read(in);
            if (n < 0) {
                closeNow();
                return;
            }
            if (!open) {
                handshake();
            } else {
                echo();
            }
        }

        private void handshake() throws IOException {
            String head = new String(in.array(), 0, in.position(), StandardCharsets.ISO_8859_1);
            int end = head.indexOf("\r\n\r\n");
            if (end < 0) {
                if (!in.hasRemaining()) {
                    closeNow();
                }
                return;
            }
            String key = null;
            for (String line : head.substring(0, end).split("\r\n")) {
                if (line.toLowerCase(Locale.ROOT).startsWith("sec-websocket-key:")) {
                    key = line.substring(line.indexOf(':') + 1).trim();
                }
            }
            if (key == null) {
                ByteBuffer refusal = ByteBuffer.wrap(("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n"
                        + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                channel.write(refusal);
                closeNow();
                return;
            }
            ByteBuffer response = ByteBuffer.wrap(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Accept: " + accept(key) + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            channel.write(response); // a fresh socket's send buffer takes it whole
            if (response.hasRemaining()) {
                closeNow();
                return;
            }
            open = true;
            int leftover = in.position() - (end + 4);
            ByteBuffer rest = ByteBuffer.wrap(in.array(), end + 4, leftover);
            in = null;
            if (leftover > 0) {
                buffers();
                in.put(rest);
                echo();
            }
        }

        private void buffers() {
            if (in == null) {
                in = ByteBuffer.allocate(BUFFER);
                out = ByteBuffer.allocate(BUFFER + 14);
            }
        }

        /** Streams frames from {@code in} to {@code out}, unmasked; writes; keeps a partial header. */
        private void echo() throws IOException {
            buffers();
            ByteBuffer src = in.flip();
            while (src.hasRemaining()) {
                if (payloadLeft == 0) {
                    if (!header(src)) {
                        break;
                    }
                    if (payloadLeft == 0) {
                        continue; // an empty frame: its header was all
                    }
                }
                int n = (int) Math.min(payloadLeft, Math.min(src.remaining(), out.remaining()));
                if (n == 0) {
                    break;
                }
                if (!skipping) {
                    unmask(src, out, n);
                }
                src.position(src.position() + n);
                payloadLeft -= n;
                maskOffset += n;
                if (payloadLeft == 0 && closeFrame) {
                    closing = true;
                }
            }
            src.compact();
            writeOut();
            if (closing && out.position() == 0) {
                closeNow();
            }
        }

        /** Parses one frame header from {@code src} and writes the echo's header; false while incomplete. */
        private boolean header(ByteBuffer src) {
            if (src.remaining() < 2 || out.remaining() < 10) {
                return false;
            }
            int p = src.position();
            int b0 = src.get(p) & 0xFF;
            int b1 = src.get(p + 1) & 0xFF;
            int len7 = b1 & 0x7F;
            boolean masked = (b1 & 0x80) != 0;
            int header = 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + (masked ? 4 : 0);
            if (src.remaining() < header) {
                return false;
            }
            long length = len7 == 126 ? src.getShort(p + 2) & 0xFFFF : len7 == 127 ? src.getLong(p + 2) : len7;
            if (masked) {
                src.get(p + header - 4, mask);
            } else {
                java.util.Arrays.fill(mask, (byte) 0);
            }
            src.position(p + header);
            int opcode = b0 & 0x0F;
            skipping = opcode == 0xA; // pongs (answers to a proxy's pings) are not echoed
            closeFrame = opcode == 0x8;
            payloadLeft = length;
            maskOffset = 0;
            if (!skipping) {
                out.put((byte) (opcode == 0x9 ? (b0 & 0xF0) | 0xA : b0)); // a ping is answered with a pong
                if (length <= 125) {
                    out.put((byte) length);
                } else if (length <= 0xFFFF) {
                    out.put((byte) 126).putShort((short) length);
                } else {
                    out.put((byte) 127).putLong(length);
                }
            }
            if (length == 0 && closeFrame) {
                closing = true;
            }
            return true;
        }

        /** XOR {@code n} bytes from {@code src} into {@code dst} with the key, eight bytes at a time. */
        private void unmask(ByteBuffer src, ByteBuffer dst, int n) {
            byte[] s = src.array();
            int si = src.arrayOffset() + src.position();
            long word = 0;
            for (int i = 0; i < 8; i++) {
                word = (word << 8) | (mask[(int) ((maskOffset + i) & 3)] & 0xFF);
            }
            int i = 0;
            int d = dst.position();
            for (; i + 8 <= n; i += 8) {
                dst.putLong(d + i, src.getLong(src.position() + i) ^ word);
            }
            for (; i < n; i++) {
                dst.put(d + i, (byte) (s[si + i] ^ mask[(int) ((maskOffset + i) & 3)]));
            }
            dst.position(d + n);
        }

        /** Writes {@code out}; true when it is empty. Reads are off while it is not. */
        private boolean writeOut() throws IOException {
            out.flip();
            channel.write(out);
            boolean done = !out.hasRemaining();
            out.compact();
            key.interestOps(done ? SelectionKey.OP_READ : SelectionKey.OP_WRITE);
            return done;
        }

        void closeNow() {
            try {
                channel.close();
            } catch (IOException e) {
                // closed
            }
        }
    }

    static String accept(String key) {
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            return Base64.getEncoder().encodeToString(sha1.digest((key + GUID).getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
