package dev.wsproxy.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One end of a WebSocket connection after its handshake, on a raw socket: the test reads frames exactly as
 * they arrived ({@link WireFrame#wire}) and writes arbitrary bytes. Either a client ({@link #connect}, which
 * masks what {@link #sendFrame} writes) or an upstream's accepted connection ({@link WireUpstream#take}).
 * Nothing is answered automatically (no pongs, no close replies). One reading thread and one writing
 * thread at a time.
 */
public final class WireSocket implements AutoCloseable {

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final boolean client;
    private final String head;

    WireSocket(Socket socket, InputStream in, boolean client, String head) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(in);
        this.out = socket.getOutputStream();
        this.client = client;
        this.head = head;
        socket.setSoTimeout(10_000);
    }

    /**
     * Opens a WebSocket to {@code 127.0.0.1:port} + {@code path} with a random key and these extra header
     * lines; fails unless the answer is 101.
     */
    public static WireSocket connect(int port, String path, String... extraHeaderLines) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        socket.setSoTimeout(10_000);
        socket.getOutputStream().write(handshake(port, path, extraHeaderLines));
        InputStream in = new BufferedInputStream(socket.getInputStream());
        String head = readHead(in);
        if (!head.startsWith("HTTP/1.1 101")) {
            socket.close();
            throw new IOException("expected 101 but got: " + head);
        }
        return new WireSocket(socket, in, true, head);
    }

    /** A valid handshake request for {@code path} with a random key. */
    public static byte[] handshake(int port, String path, String... extraHeaderLines) {
        byte[] key = new byte[16];
        ThreadLocalRandom.current().nextBytes(key);
        StringBuilder request = new StringBuilder("GET ").append(path).append(" HTTP/1.1\r\nHost: 127.0.0.1:")
                .append(port).append("\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n")
                .append("Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ")
                .append(Base64.getEncoder().encodeToString(key)).append("\r\n");
        for (String line : extraHeaderLines) {
            request.append(line).append("\r\n");
        }
        return request.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /** The HTTP head this end saw: the 101 for a client, the request for an upstream (without the blank line). */
    public String head() {
        return head;
    }

    /** A header of {@link #head()}, or null. */
    public String header(String name) {
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().toLowerCase(Locale.ROOT)
                    .equals(name.toLowerCase(Locale.ROOT))) {
                return line.substring(colon + 1).trim();
            }
        }
        return null;
    }

    /** Writes these bytes as they are. */
    public void send(byte[] bytes) throws IOException {
        synchronized (out) { // a background reader answering pings writes too
            out.write(bytes);
            out.flush();
        }
    }

    /**
     * Writes these bytes in pieces of {@code piece} bytes, each flushed as its own TCP segment a millisecond
     * after the previous one, so that the peer's reads see them apart (frame headers split across reads).
     */
    public void sendInPieces(byte[] bytes, int piece) throws IOException {
        socket.setTcpNoDelay(true);
        for (int i = 0; i < bytes.length; i += piece) {
            send(java.util.Arrays.copyOfRange(bytes, i, Math.min(bytes.length, i + piece)));
            try {
                Thread.sleep(1); // pacing, not waiting: gives each piece its own read on the other side
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while pacing");
            }
        }
    }

    /** Writes a frame as it is and returns it. */
    public WireFrame send(WireFrame frame) throws IOException {
        send(frame.wire);
        return frame;
    }

    /** Writes one frame, masked with a random key when this is a client, and returns it. */
    public WireFrame sendFrame(int opcode, boolean fin, byte[] payload) throws IOException {
        byte[] key = null;
        if (client) {
            key = new byte[4];
            ThreadLocalRandom.current().nextBytes(key);
        }
        return send(WireFrame.encode(opcode, fin, payload, key));
    }

    /** Sends a close frame with this code and reason. */
    public WireFrame sendClose(int code, String reason) throws IOException {
        return sendFrame(WireFrame.CLOSE, true, WireFrame.closePayload(code, reason));
    }

    /** Reads the next frame, waiting at most the read timeout (10 s unless changed). */
    public WireFrame readFrame() throws IOException {
        int b0 = in.readUnsignedByte();
        int b1 = in.readUnsignedByte();
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        wire.write(b0);
        wire.write(b1);
        long length = b1 & 0x7F;
        if (length == 126) {
            int l = in.readUnsignedShort();
            wire.write(l >>> 8);
            wire.write(l);
            length = l;
        } else if (length == 127) {
            long l = in.readLong();
            for (int shift = 56; shift >= 0; shift -= 8) {
                wire.write((int) (l >>> shift));
            }
            length = l;
        }
        byte[] key = null;
        if ((b1 & 0x80) != 0) {
            key = new byte[4];
            in.readFully(key);
            wire.write(key, 0, 4);
        }
        byte[] payload = new byte[Math.toIntExact(length)];
        in.readFully(payload);
        wire.write(payload, 0, payload.length);
        if (key != null) {
            for (int i = 0; i < payload.length; i++) {
                payload[i] ^= key[i & 3];
            }
        }
        return new WireFrame(wire.toByteArray(), (b0 & 0x80) != 0, b0 & 0x0F, key, payload);
    }

    /** Reads frames, answering pings with pongs, until a frame that is not a ping arrives; returns it. */
    public WireFrame readFrameAnsweringPings() throws IOException {
        while (true) {
            WireFrame frame = readFrame();
            if (frame.opcode != WireFrame.PING) {
                return frame;
            }
            sendFrame(WireFrame.PONG, true, frame.payload);
        }
    }

    /**
     * Reads every frame on a daemon thread from now on, answering pings with pongs when {@code answerPings},
     * into the returned recorder. The test must not call {@link #readFrame} itself afterwards.
     */
    public FrameRecorder readInBackground(boolean answerPings) {
        FrameRecorder recorder = new FrameRecorder();
        Thread reader = new Thread(() -> {
            try {
                while (true) {
                    WireFrame frame = readFrame();
                    recorder.frames.add(frame);
                    if (answerPings && frame.opcode == WireFrame.PING) {
                        sendFrame(WireFrame.PONG, true, frame.payload);
                    }
                }
            } catch (IOException | RuntimeException e) {
                recorder.ended.complete(e);
            }
        }, "wire-socket-reader");
        reader.setDaemon(true);
        reader.start();
        return recorder;
    }

    /** Frames read by {@link #readInBackground}, in order, and how reading ended. */
    public static final class FrameRecorder {
        private final java.util.concurrent.BlockingQueue<WireFrame> frames =
                new java.util.concurrent.LinkedBlockingQueue<>();
        /** Completes with what ended reading (end of stream, reset, timeout). */
        public final java.util.concurrent.CompletableFuture<Throwable> ended =
                new java.util.concurrent.CompletableFuture<>();

        /** The next frame, waiting up to {@code max}; fails when none arrives. */
        public WireFrame next(Duration max) throws InterruptedException {
            WireFrame frame = frames.poll(max.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            if (frame == null) {
                throw new AssertionError("no frame within " + max + " (reading ended: " + ended.getNow(null) + ")");
            }
            return frame;
        }

        /** The next frame that is not a ping or pong. */
        public WireFrame nextData(Duration max) throws InterruptedException {
            while (true) {
                WireFrame frame = next(max);
                if (frame.opcode != WireFrame.PING && frame.opcode != WireFrame.PONG) {
                    return frame;
                }
            }
        }

        /** Frames recorded and not yet taken, taken now. */
        public java.util.List<WireFrame> drain() {
            java.util.List<WireFrame> list = new java.util.ArrayList<>();
            frames.drainTo(list);
            return list;
        }
    }

    /** Reads exactly {@code n} bytes. */
    public byte[] readBytes(int n) throws IOException {
        byte[] bytes = new byte[n];
        in.readFully(bytes);
        return bytes;
    }

    /** Reads and discards until end of stream or a reset; false when the stream is still open after {@code max}. */
    public boolean awaitEof(Duration max) throws IOException {
        long deadline = System.nanoTime() + max.toNanos();
        int timeout = socket.getSoTimeout();
        try {
            byte[] sink = new byte[8192];
            while (System.nanoTime() < deadline) {
                socket.setSoTimeout((int) Math.max(1, Math.min(500, (deadline - System.nanoTime()) / 1_000_000)));
                try {
                    if (in.read(sink) < 0) {
                        return true;
                    }
                } catch (SocketTimeoutException e) {
                    // still open: keep waiting
                } catch (SocketException e) {
                    return true; // reset
                }
            }
            return false;
        } finally {
            if (!socket.isClosed()) {
                socket.setSoTimeout(timeout);
            }
        }
    }

    /** Sets how long {@link #readFrame} waits. */
    public void readTimeout(Duration timeout) throws IOException {
        socket.setSoTimeout(Math.toIntExact(timeout.toMillis()));
    }

    /** Drops the connection with a TCP reset, as a crashed peer would. */
    public void abort() throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    public boolean isClosed() {
        return socket.isClosed();
    }

    /** Closes the socket without a close frame. */
    @Override
    public void close() throws IOException {
        socket.close();
    }

    static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed during the handshake; got: "
                        + head.toString(StandardCharsets.ISO_8859_1));
            }
            head.write(b);
            matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : b == '\r' ? 1 : 0;
        }
        String s = head.toString(StandardCharsets.ISO_8859_1);
        return s.substring(0, s.length() - 4);
    }
}
