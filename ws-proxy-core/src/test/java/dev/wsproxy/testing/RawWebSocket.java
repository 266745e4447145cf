package dev.wsproxy.testing;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A WebSocket client on a raw socket that writes frames exactly as told (RFC 6455 section 5): for frame
 * layouts no library client produces, such as a UTF-8 character split between two text frames. Minimal:
 * no extensions, answers no pings (it reads only while a test waits for a message). One thread at a time.
 */
public final class RawWebSocket implements AutoCloseable {

    public static final int CONTINUATION = 0x0;
    public static final int TEXT = 0x1;
    public static final int BINARY = 0x2;
    private static final int CLOSE = 0x8;
    private static final int PING = 0x9;

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    private RawWebSocket(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /** Opens a WebSocket on {@code 127.0.0.1:port} + {@code path}; fails unless the answer is 101. */
    public static RawWebSocket connect(int port, String path) throws IOException {
        return connect(port, path, new byte[0]);
    }

    /**
     * As {@link #connect(int, String)}, writing {@code behindHandshake} (frames, see {@link #frame}) in the same
     * write as the handshake, before its answer: a client that does not wait for the 101.
     */
    public static RawWebSocket connect(int port, String path, byte[] behindHandshake) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        return handshake(socket, port, path, behindHandshake);
    }

    /**
     * As {@link #connect(int, String)} over TLS ({@code wss://}), trusting whatever certificate the server shows
     * (tests use self-signed ones).
     */
    public static RawWebSocket connectTls(int port, String path) throws IOException {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {new X509TrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            }}, null);
            Socket socket = context.getSocketFactory().createSocket();
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            return handshake(socket, port, path, new byte[0]);
        } catch (GeneralSecurityException e) {
            throw new IOException(e);
        }
    }

    private static RawWebSocket handshake(Socket socket, int port, String path, byte[] behindHandshake)
            throws IOException {
        socket.setSoTimeout(20_000);
        byte[] key = new byte[16];
        ThreadLocalRandom.current().nextBytes(key);
        String request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: "
                + Base64.getEncoder().encodeToString(key) + "\r\n\r\n";
        ByteArrayOutputStream first = new ByteArrayOutputStream();
        first.write(request.getBytes(StandardCharsets.ISO_8859_1));
        first.write(behindHandshake);
        socket.getOutputStream().write(first.toByteArray());
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = socket.getInputStream().read();
            if (b < 0) {
                socket.close();
                throw new IOException("connection closed during handshake; got: " + head);
            }
            head.append((char) b);
        }
        if (!head.toString().startsWith("HTTP/1.1 101")) {
            socket.close();
            throw new IOException("expected 101 but got: " + head);
        }
        return new RawWebSocket(socket);
    }

    /** Writes one masked frame. */
    public void sendFrame(int opcode, boolean fin, byte[] payload) throws IOException {
        out.write(frame(opcode, fin, payload));
        out.flush();
    }

    /**
     * Writes the masked header of one frame of {@code length} bytes, then its payload in 64 KiB writes until the
     * whole length is sent or a write fails (the connection ended): a client streaming a huge frame. The socket's
     * timeout does not apply to writes, so this blocks while the peer does not read.
     */
    public void sendFrameHeaderAndPayloadForever(int opcode, long length) throws IOException {
        ByteArrayOutputStream header = new ByteArrayOutputStream(14);
        header.write(0x80 | opcode);
        header.write(0x80 | 127);
        for (int shift = 56; shift >= 0; shift -= 8) {
            header.write((int) (length >>> shift));
        }
        header.write(new byte[4]); // a zero mask: the payload goes as it is
        out.write(header.toByteArray());
        byte[] chunk = new byte[64 * 1024];
        for (long sent = 0; sent < length; sent += chunk.length) {
            out.write(chunk, 0, (int) Math.min(chunk.length, length - sent));
        }
        out.flush();
    }

    /** One masked frame, as a client sends it. */
    public static byte[] frame(int opcode, boolean fin, byte[] payload) {
        ByteArrayOutputStream frame = new ByteArrayOutputStream(payload.length + 14);
        frame.write((fin ? 0x80 : 0) | opcode);
        if (payload.length < 126) {
            frame.write(0x80 | payload.length);
        } else if (payload.length < 65536) {
            frame.write(0x80 | 126);
            frame.write(payload.length >>> 8);
            frame.write(payload.length);
        } else {
            frame.write(0x80 | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                frame.write((int) ((long) payload.length >>> shift));
            }
        }
        byte[] mask = new byte[4];
        ThreadLocalRandom.current().nextBytes(mask);
        frame.write(mask, 0, 4);
        for (int i = 0; i < payload.length; i++) {
            frame.write(payload[i] ^ mask[i & 3]);
        }
        return frame.toByteArray();
    }

    /** Sends a close frame with {@code code} and {@code reason} (the socket stays open). */
    public void sendClose(int code, String reason) throws IOException {
        sendFrame(CLOSE, true, RawServerSide.closePayload(code, reason));
    }

    /**
     * Reads frames until a close frame arrives (data and pings are skipped) and returns {@code code + " " +
     * reason}; fails when nothing arrives within the socket's 20 s timeout.
     */
    public String awaitClose() throws IOException {
        while (true) {
            int first = in.readUnsignedByte();
            int second = in.readUnsignedByte();
            long length = second & 0x7F;
            if (length == 126) {
                length = in.readUnsignedShort();
            } else if (length == 127) {
                length = in.readLong();
            }
            byte[] payload = new byte[Math.toIntExact(length)];
            in.readFully(payload);
            if ((first & 0x0F) == CLOSE) {
                return payload.length >= 2 ? ((payload[0] & 0xFF) << 8 | (payload[1] & 0xFF)) + " "
                        + new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8) : "1005 ";
            }
        }
    }

    /** Sends one message as frames with the given payloads: the first {@code opcode}, then continuations. */
    public void sendFragments(int opcode, byte[]... parts) throws IOException {
        for (int i = 0; i < parts.length; i++) {
            sendFrame(i == 0 ? opcode : CONTINUATION, i == parts.length - 1, parts[i]);
        }
    }

    /**
     * Reads frames until one whole data message has arrived and returns its payload (skipping pings);
     * fails on a close frame or when nothing arrives within 20 s.
     */
    public byte[] readMessage() throws IOException {
        ByteArrayOutputStream message = new ByteArrayOutputStream();
        while (true) {
            int first = in.readUnsignedByte();
            int second = in.readUnsignedByte();
            long length = second & 0x7F;
            if (length == 126) {
                length = in.readUnsignedShort();
            } else if (length == 127) {
                length = in.readLong();
            }
            byte[] payload = new byte[Math.toIntExact(length)];
            in.readFully(payload);
            int opcode = first & 0x0F;
            if (opcode == CLOSE) {
                throw new IOException("server closed: " + (payload.length >= 2
                        ? ((payload[0] & 0xFF) << 8 | (payload[1] & 0xFF)) + " "
                        + new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8) : "no code"));
            }
            if (opcode == PING) {
                continue;
            }
            message.write(payload, 0, payload.length);
            if ((first & 0x80) != 0) {
                return message.toByteArray();
            }
        }
    }

    /** Closes the socket without a close frame. */
    public void abort() throws IOException {
        socket.close();
    }

    /** Sends a 1000 close frame and closes the socket. */
    @Override
    public void close() throws IOException {
        try {
            sendFrame(CLOSE, true, new byte[] {0x03, (byte) 0xE8});
        } finally {
            socket.close();
        }
    }
}
