package dev.wsproxy.examples.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * One client WebSocket connection of the load generator, on a raw {@link SocketChannel}: a blocking HTTP/1.1
 * upgrade, then frames. What it sends comes from shared, read-only, <em>pre-masked</em> blocks (many copies of
 * one frame, see {@link #maskedFrame}), so sending {@code n} messages is one write of a slice, never a copy or a
 * masking pass; what it receives is parsed only as far as the frame headers (server frames are not masked), to
 * count echoed messages and payload bytes. Pings are answered with pongs between whole frames.
 *
 * <p>Not thread-safe: one thread (a scenario's loop) owns a connection.
 */
final class RawConnection {

    /** The masking key of every frame this client sends (any key is valid; a fixed one lets frames be reused). */
    static final byte[] MASK = {(byte) 0x5a, (byte) 0xc3, (byte) 0x17, (byte) 0x8e};

    final SocketChannel channel;
    final ByteBuffer readBuffer;
    /** Messages (whole, FIN data frames) and data payload bytes received so far. */
    long messages;
    long payloadBytes;
    /** Messages asked for by {@link #send} and not yet handed to a write. */
    int pending;
    boolean closeReceived;

    private ByteBuffer block;
    private int frameLength;
    private int framesPerBlock;
    private ByteBuffer writing;
    private final ArrayDeque<ByteBuffer> controlOut = new ArrayDeque<>();
    // the frame being received
    private long payloadLeft;
    private boolean fin;
    private int opcode;
    private final byte[] control = new byte[125];
    private int controlLength;

    private RawConnection(SocketChannel channel, ByteBuffer leftover) {
        this.channel = channel;
        this.readBuffer = ByteBuffer.allocateDirect(64 * 1024);
        readBuffer.put(leftover);
    }

    /**
     * Connects and upgrades (blocking); the connection is closed if that takes longer than {@code timeoutMillis}.
     *
     * @throws IOException when the connection or the upgrade fails, with the server's status line
     */
    static RawConnection open(URI target, ScheduledExecutorService timer, long timeoutMillis) throws IOException {
        SocketChannel channel = SocketChannel.open();
        ScheduledFuture<?> watchdog = timer.schedule(() -> {
            try {
                channel.close();
            } catch (IOException e) {
                // closing only
            }
        }, timeoutMillis, TimeUnit.MILLISECONDS);
        try {
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            channel.connect(new InetSocketAddress(target.getHost(), target.getPort()));
            ByteBuffer out = ByteBuffer.wrap(upgradeRequest(target));
            while (out.hasRemaining()) {
                channel.write(out);
            }
            ByteBuffer in = ByteBuffer.allocate(4096);
            int headEnd;
            while ((headEnd = headEnd(in)) < 0) {
                if (!in.hasRemaining() || channel.read(in) < 0) {
                    throw new IOException("no complete upgrade response from " + target + " (got "
                            + in.position() + " bytes)");
                }
            }
            String head = new String(in.array(), 0, headEnd, StandardCharsets.ISO_8859_1);
            if (!head.startsWith("HTTP/1.1 101")) {
                throw new IOException("upgrade refused by " + target + ": " + head.lines().findFirst().orElse(""));
            }
            in.flip().position(headEnd);
            return new RawConnection(channel, in);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        } finally {
            watchdog.cancel(false);
        }
    }

    /** {@code GET} with the upgrade headers and a random {@code Sec-WebSocket-Key}. */
    static byte[] upgradeRequest(URI target) {
        byte[] key = new byte[16];
        ThreadLocalRandom.current().nextBytes(key);
        return ("GET " + target.getRawPath() + " HTTP/1.1\r\nHost: " + target.getHost() + ":" + target.getPort()
                + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
                + Base64.getEncoder().encodeToString(key) + "\r\nSec-WebSocket-Version: 13\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    private static int headEnd(ByteBuffer in) {
        byte[] a = in.array();
        for (int i = 3; i < in.position(); i++) {
            if (a[i] == '\n' && a[i - 1] == '\r' && a[i - 2] == '\n' && a[i - 3] == '\r') {
                return i + 1;
            }
        }
        return -1;
    }

    /** One masked frame with FIN set ({@code opcode} 1 text, 2 binary, 8 close) and the fixed {@link #MASK}. */
    static byte[] maskedFrame(int opcode, byte[] payload) {
        int n = payload.length;
        int header = 2 + (n <= 125 ? 0 : n <= 0xFFFF ? 2 : 8) + 4;
        ByteBuffer frame = ByteBuffer.allocate(header + n);
        frame.put((byte) (0x80 | opcode));
        if (n <= 125) {
            frame.put((byte) (0x80 | n));
        } else if (n <= 0xFFFF) {
            frame.put((byte) (0x80 | 126)).putShort((short) n);
        } else {
            frame.put((byte) (0x80 | 127)).putLong(n);
        }
        frame.put(MASK);
        for (int i = 0; i < n; i++) {
            frame.put((byte) (payload[i] ^ MASK[i & 3]));
        }
        return frame.array();
    }

    /** A read-only direct block of {@code copies} back-to-back copies of {@code frame}, shared by connections. */
    static ByteBuffer block(byte[] frame, int copies) {
        ByteBuffer b = ByteBuffer.allocateDirect(frame.length * copies);
        for (int i = 0; i < copies; i++) {
            b.put(frame);
        }
        return b.flip().asReadOnlyBuffer();
    }

    /** What {@link #send} writes: slices of {@code block}, which holds whole frames of {@code frameLength} bytes. */
    void sendFrom(ByteBuffer block, int frameLength) {
        this.block = block;
        this.frameLength = frameLength;
        this.framesPerBlock = block.capacity() / frameLength;
    }

    /** Queues {@code n} more messages; {@link #flush} writes them. */
    void send(int n) {
        pending += n;
    }

    /**
     * Writes queued pongs and messages until done or the socket would block.
     *
     * @return true when everything queued is written
     */
    boolean flush() throws IOException {
        while (true) {
            if (writing == null || !writing.hasRemaining()) {
                writing = controlOut.poll();
                if (writing == null && pending > 0) {
                    int n = Math.min(pending, framesPerBlock);
                    writing = block.duplicate().limit(n * frameLength);
                    pending -= n;
                }
                if (writing == null) {
                    return true;
                }
            }
            channel.write(writing);
            if (writing.hasRemaining()) {
                return false;
            }
        }
    }

    /** Sends a masked close frame (1000) if the socket takes it now, then closes the socket. */
    void close() {
        try {
            if (channel.isOpen() && (writing == null || !writing.hasRemaining())) {
                channel.configureBlocking(false);
                channel.write(ByteBuffer.wrap(maskedFrame(8, new byte[] {0x03, (byte) 0xe8})));
            }
        } catch (IOException e) {
            // closing anyway
        }
        try {
            channel.close();
        } catch (IOException e) {
            // closed
        }
    }

    /**
     * Reads once (what the socket has, up to the buffer) and parses it.
     *
     * @return whole messages received by this read, or -1 at end of stream
     */
    int read() throws IOException {
        int n = channel.read(readBuffer);
        if (n < 0) {
            return -1;
        }
        return parseBuffered();
    }

    /** Parses what is in {@link #readBuffer} (write mode), leaving a partial header for the next read. */
    int parseBuffered() {
        long before = messages;
        ByteBuffer b = readBuffer.flip();
        while (true) {
            if (payloadLeft > 0) {
                int n = (int) Math.min(payloadLeft, b.remaining());
                if (n == 0) {
                    break;
                }
                if (opcode >= 8) {
                    b.get(control, controlLength, n);
                    controlLength += n;
                } else {
                    b.position(b.position() + n);
                    payloadBytes += n;
                }
                payloadLeft -= n;
                if (payloadLeft == 0) {
                    frameDone();
                }
                continue;
            }
            if (b.remaining() < 2) {
                break;
            }
            int p = b.position();
            int b0 = b.get(p) & 0xFF;
            int b1 = b.get(p + 1) & 0xFF;
            int len7 = b1 & 0x7F;
            int header = 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + ((b1 & 0x80) != 0 ? 4 : 0);
            if (b.remaining() < header) {
                break;
            }
            payloadLeft = len7 == 126 ? b.getShort(p + 2) & 0xFFFF : len7 == 127 ? b.getLong(p + 2) : len7;
            b.position(p + header);
            fin = (b0 & 0x80) != 0;
            opcode = b0 & 0x0F;
            controlLength = 0;
            if (payloadLeft == 0) {
                frameDone();
            }
        }
        b.compact();
        return (int) (messages - before);
    }

    private void frameDone() {
        if (opcode < 8) {
            if (fin) {
                messages++;
            }
        } else if (opcode == 9) { // ping: a pong with the same payload, masked with a zero key (legal, no copy)
            ByteBuffer pong = ByteBuffer.allocate(6 + controlLength);
            pong.put((byte) 0x8A).put((byte) (0x80 | controlLength)).putInt(0).put(control, 0, controlLength);
            controlOut.add(pong.flip());
        } else if (opcode == 8) {
            closeReceived = true;
        }
    }

    boolean hasControlToSend() {
        return !controlOut.isEmpty();
    }
}
