package dev.wsproxy.testing;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * The server side of a WebSocket on a raw socket, after its 101 (see {@link RawUpstream#scripted}): reads
 * the proxy's masked frames and writes unmasked ones exactly as told. One thread at a time.
 */
public final class RawServerSide {

    public static final int TEXT = 0x1;
    public static final int BINARY = 0x2;
    public static final int CLOSE = 0x8;
    public static final int PING = 0x9;
    public static final int PONG = 0xA;

    /** One frame as read: opcode, FIN and the unmasked payload. */
    public static final class Frame {
        public final int opcode;
        public final boolean fin;
        public final byte[] payload;

        Frame(int opcode, boolean fin, byte[] payload) {
            this.opcode = opcode;
            this.fin = fin;
            this.payload = payload;
        }

        /** The close code of a close frame (1005 when it has none). */
        public int closeCode() {
            return payload.length >= 2 ? (payload[0] & 0xFF) << 8 | (payload[1] & 0xFF) : 1005;
        }

        /** The close reason of a close frame. */
        public String closeReason() {
            return payload.length > 2 ? new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8) : "";
        }

        public String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }
    }

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    RawServerSide(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    public Socket socket() {
        return socket;
    }

    /** Reads the next frame, whatever it is. */
    public Frame read() throws IOException {
        int first = in.readUnsignedByte();
        int second = in.readUnsignedByte();
        long length = second & 0x7F;
        if (length == 126) {
            length = in.readUnsignedShort();
        } else if (length == 127) {
            length = in.readLong();
        }
        byte[] mask = new byte[4];
        if ((second & 0x80) != 0) {
            in.readFully(mask);
        }
        byte[] payload = new byte[Math.toIntExact(length)];
        in.readFully(payload);
        for (int i = 0; i < payload.length; i++) {
            payload[i] ^= mask[i & 3];
        }
        return new Frame(first & 0x0F, (first & 0x80) != 0, payload);
    }

    /** Reads frames, answering pings, until a data or close frame arrives. */
    public Frame readSkippingControl() throws IOException {
        while (true) {
            Frame frame = read();
            if (frame.opcode == PING) {
                send(PONG, true, frame.payload);
            } else if (frame.opcode != PONG) {
                return frame;
            }
        }
    }

    /** Writes one unmasked frame. */
    public synchronized void send(int opcode, boolean fin, byte[] payload) throws IOException {
        ByteArrayOutputStream frame = new ByteArrayOutputStream(payload.length + 10);
        frame.write((fin ? 0x80 : 0) | opcode);
        if (payload.length < 126) {
            frame.write(payload.length);
        } else if (payload.length < 65536) {
            frame.write(126);
            frame.write(payload.length >>> 8);
            frame.write(payload.length);
        } else {
            frame.write(127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                frame.write((int) ((long) payload.length >>> shift));
            }
        }
        frame.write(payload, 0, payload.length);
        out.write(frame.toByteArray());
        out.flush();
    }

    /** Writes a close frame with {@code code} and {@code reason}. */
    public void sendClose(int code, String reason) throws IOException {
        send(CLOSE, true, closePayload(code, reason));
    }

    /** A close frame's payload: the code in two bytes, then the reason in UTF-8. */
    public static byte[] closePayload(int code, String reason) {
        byte[] text = reason.getBytes(StandardCharsets.UTF_8);
        byte[] payload = new byte[2 + text.length];
        payload[0] = (byte) (code >>> 8);
        payload[1] = (byte) code;
        System.arraycopy(text, 0, payload, 2, text.length);
        return payload;
    }

    /** Drops the TCP connection at once (RST: SO_LINGER 0), as a killed process's kernel would not, but abruptly. */
    public void reset() throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }
}
