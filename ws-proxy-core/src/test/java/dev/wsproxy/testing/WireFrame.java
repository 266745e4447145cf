package dev.wsproxy.testing;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One WebSocket frame as it was (or will be) on the wire (RFC 6455 section 5.2): the exact bytes, and the
 * fields read from them. Built with {@link #encode} (any length encoding, masked with a given key or not)
 * or parsed by {@link WireSocket#readFrame()}. Immutable.
 */
public final class WireFrame {

    public static final int CONTINUATION = 0x0;
    public static final int TEXT = 0x1;
    public static final int BINARY = 0x2;
    public static final int CLOSE = 0x8;
    public static final int PING = 0x9;
    public static final int PONG = 0xA;

    /** The frame exactly as on the wire: header, masking key, (masked) payload. */
    public final byte[] wire;
    public final boolean fin;
    public final int opcode;
    /** The masking key, or {@code null} for an unmasked frame. */
    public final byte[] maskKey;
    /** The payload, unmasked. */
    public final byte[] payload;

    WireFrame(byte[] wire, boolean fin, int opcode, byte[] maskKey, byte[] payload) {
        this.wire = wire;
        this.fin = fin;
        this.opcode = opcode;
        this.maskKey = maskKey;
        this.payload = payload;
    }

    /** Encodes a frame with the shortest length encoding; {@code maskKey} null for unmasked. */
    public static WireFrame encode(int opcode, boolean fin, byte[] payload, byte[] maskKey) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(payload.length + 14);
        out.write((fin ? 0x80 : 0) | opcode);
        int maskBit = maskKey == null ? 0 : 0x80;
        if (payload.length < 126) {
            out.write(maskBit | payload.length);
        } else if (payload.length < 65536) {
            out.write(maskBit | 126);
            out.write(payload.length >>> 8);
            out.write(payload.length);
        } else {
            out.write(maskBit | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                out.write((int) ((long) payload.length >>> shift));
            }
        }
        if (maskKey != null) {
            out.write(maskKey, 0, 4);
            for (int i = 0; i < payload.length; i++) {
                out.write(payload[i] ^ maskKey[i & 3]);
            }
        } else {
            out.write(payload, 0, payload.length);
        }
        return new WireFrame(out.toByteArray(), fin, opcode, maskKey == null ? null : maskKey.clone(),
                payload.clone());
    }

    /** A close frame's payload: the code, big-endian, then the UTF-8 reason. */
    public static byte[] closePayload(int code, String reason) {
        byte[] text = reason.getBytes(StandardCharsets.UTF_8);
        byte[] payload = new byte[2 + text.length];
        payload[0] = (byte) (code >> 8);
        payload[1] = (byte) code;
        System.arraycopy(text, 0, payload, 2, text.length);
        return payload;
    }

    public boolean masked() {
        return maskKey != null;
    }

    public boolean isControl() {
        return (opcode & 0x8) != 0;
    }

    /** A close frame's code, 1005 when it has none. */
    public int closeCode() {
        return payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1005;
    }

    /** A close frame's reason. */
    public String closeReason() {
        return payload.length > 2 ? new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8) : "";
    }

    public String payloadText() {
        return new String(payload, StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WireFrame && Arrays.equals(wire, ((WireFrame) o).wire);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(wire);
    }

    @Override
    public String toString() {
        String what = opcode == CLOSE ? " " + closeCode() + " '" + closeReason() + "'"
                : isControl() ? " '" + payloadText() + "'" : "";
        return "WireFrame[fin=" + fin + " opcode=" + opcode + (masked() ? " masked" : "") + " length="
                + payload.length + what + "]";
    }
}
