package dev.wsproxy.check;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A WebSocket client on a plain {@link Socket} (or {@code SSLSocket}): writes the handshake and frames byte by
 * byte and reads the answer exactly as sent, so the check can show the real status line, headers and body.
 * Client frames are masked (RFC 6455 section 5.3). Not thread-safe: one check drives it.
 */
final class RawConnection implements Closeable {

    private static final SecureRandom RANDOM = new SecureRandom();

    static final int TEXT = 0x1;
    static final int BINARY = 0x2;
    static final int CLOSE = 0x8;
    static final int PING = 0x9;
    static final int PONG = 0xA;

    /** A frame as read. */
    record Frame(int opcode, boolean fin, byte[] payload) {
        String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        int closeCode() {
            return payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1005;
        }

        String closeReason() {
            return payload.length > 2 ? new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8) : "";
        }
    }

    /** An HTTP response head and (for non-101 answers) the start of its body. */
    record Response(String statusLine, int status, List<String[]> headers, String body) {
        String header(String name) {
            for (String[] h : headers) {
                if (h[0].equalsIgnoreCase(name)) {
                    return h[1];
                }
            }
            return null;
        }
    }

    final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    RawConnection(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(new java.io.BufferedInputStream(socket.getInputStream()));
        this.out = socket.getOutputStream();
    }

    static String newKey() {
        byte[] key = new byte[16];
        RANDOM.nextBytes(key);
        return java.util.Base64.getEncoder().encodeToString(key);
    }

    void write(String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    /** Reads the response head; for anything but 101 also up to 4 KiB of body. */
    Response readResponse() throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int last4 = 0;
        while (last4 != 0x0D0A0D0A) {
            int b = in.read();
            if (b < 0) {
                throw new java.io.EOFException(head.size() == 0 ? "the server closed the connection without"
                        + " answering" : "the server closed the connection in the middle of its answer");
            }
            head.write(b);
            last4 = (last4 << 8) | b;
            if (head.size() > 65536) {
                throw new IOException("the answer's head is longer than 64 KiB");
            }
        }
        String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
        String statusLine = lines[0];
        String[] parts = statusLine.split(" ", 3);
        int status;
        try {
            status = parts.length >= 2 ? Integer.parseInt(parts[1]) : -1;
        } catch (NumberFormatException e) {
            status = -1;
        }
        List<String[]> headers = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.add(new String[] {lines[i].substring(0, colon).trim(), lines[i].substring(colon + 1).trim()});
            }
        }
        String body = "";
        if (status != 101) {
            body = readBody(headers);
        }
        return new Response(statusLine, status, headers, body);
    }

    private String readBody(List<String[]> headers) throws IOException {
        String length = null;
        for (String[] h : headers) {
            if (h[0].equalsIgnoreCase("Content-Length")) {
                length = h[1];
            }
        }
        int limit = 4096;
        if (length != null) {
            try {
                limit = (int) Math.min(limit, Long.parseLong(length.trim()));
            } catch (NumberFormatException ignored) {
                // read what comes
            }
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        int previousTimeout = socket.getSoTimeout();
        socket.setSoTimeout(2000);
        try {
            while (body.size() < limit) {
                int b = in.read();
                if (b < 0) {
                    break;
                }
                body.write(b);
            }
        } catch (java.net.SocketTimeoutException enough) {
            // a server that keeps the connection open after a chunked or unsized body
        } finally {
            socket.setSoTimeout(previousTimeout);
        }
        return body.toString(StandardCharsets.UTF_8).trim();
    }

    void sendFrame(int opcode, byte[] payload) throws IOException {
        ByteArrayOutputStream frame = new ByteArrayOutputStream(payload.length + 14);
        frame.write(0x80 | opcode);
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
        RANDOM.nextBytes(mask);
        frame.write(mask, 0, 4);
        for (int i = 0; i < payload.length; i++) {
            frame.write(payload[i] ^ mask[i & 3]);
        }
        out.write(frame.toByteArray());
        out.flush();
    }

    void sendClose(int code, String reason) throws IOException {
        byte[] text = reason.getBytes(StandardCharsets.UTF_8);
        byte[] payload = new byte[2 + text.length];
        payload[0] = (byte) (code >>> 8);
        payload[1] = (byte) code;
        System.arraycopy(text, 0, payload, 2, text.length);
        sendFrame(CLOSE, payload);
    }

    /** Reads one frame (blocking up to the socket's read timeout). */
    Frame readFrame() throws IOException {
        int b0 = in.readUnsignedByte();
        int b1 = in.readUnsignedByte();
        long length = b1 & 0x7F;
        if (length == 126) {
            length = in.readUnsignedShort();
        } else if (length == 127) {
            length = in.readLong();
        }
        if (length > 16 * 1024 * 1024) {
            throw new IOException("the server sent a frame of " + length + " bytes; the check reads at most 16 MiB");
        }
        byte[] mask = null;
        if ((b1 & 0x80) != 0) {
            mask = new byte[4];
            in.readFully(mask);
        }
        byte[] payload = new byte[(int) length];
        in.readFully(payload);
        if (mask != null) {
            for (int i = 0; i < payload.length; i++) {
                payload[i] ^= mask[i & 3];
            }
        }
        return new Frame(b0 & 0x0F, (b0 & 0x80) != 0, payload);
    }

    /** Reads frames, answering the server's pings, until one that is not a ping. */
    Frame readFrameAnsweringPings() throws IOException {
        while (true) {
            Frame frame = readFrame();
            if (frame.opcode() != PING) {
                return frame;
            }
            sendFrame(PONG, frame.payload());
        }
    }

    static String lower(String s) {
        return s == null ? null : s.toLowerCase(Locale.ROOT);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
