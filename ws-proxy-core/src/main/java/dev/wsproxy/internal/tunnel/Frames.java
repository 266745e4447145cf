package dev.wsproxy.internal.tunnel;

import dev.wsproxy.internal.MaskKeys;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * RFC 6455 section 5 constants and the few frames the proxy writes itself: keepalive pings and close
 * frames. Frames toward the upstream are masked (the proxy is its client), frames toward the client are
 * not. Stateless.
 */
final class Frames {

    static final int CONTINUATION = 0x0;
    static final int TEXT = 0x1;
    static final int BINARY = 0x2;
    static final int CLOSE = 0x8;
    static final int PING = 0x9;
    static final int PONG = 0xA;

    static final int FIN = 0x80;
    static final int RSV1 = 0x40;
    static final int RSV2_3 = 0x30;
    static final int MASK = 0x80;

    /** A control frame's payload is at most 125 bytes (section 5.5). */
    static final int MAX_CONTROL_PAYLOAD = 125;
    /** The longest frame header: 2 bytes, an 8-byte length and a 4-byte masking key. */
    static final int MAX_HEADER = 14;
    /** Close reasons are cut to this many UTF-8 bytes so code + reason fit a control frame. */
    static final int MAX_REASON_BYTES = 123;

    private Frames() {
    }

    static boolean isControl(int opcode) {
        return (opcode & 0x8) != 0;
    }

    static boolean isKnown(int opcode) {
        return opcode <= BINARY || (opcode >= CLOSE && opcode <= PONG);
    }

    /** Whether {@code code} may be sent in a close frame (section 7.4 and the IANA registry). */
    static boolean isTransmittable(int code) {
        return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
    }

    /** A ping frame carrying {@code payload}. */
    static ByteBuffer ping(byte[] payload, boolean masked) {
        return frame(PING, payload, masked);
    }

    /** A close frame with {@code code} and {@code reason}, cut at a character boundary to fit. */
    static ByteBuffer close(int code, String reason, boolean masked) {
        byte[] text = utf8Prefix(reason == null ? "" : reason, MAX_REASON_BYTES);
        byte[] payload = new byte[2 + text.length];
        payload[0] = (byte) (code >> 8);
        payload[1] = (byte) code;
        System.arraycopy(text, 0, payload, 2, text.length);
        return frame(CLOSE, payload, masked);
    }

    private static ByteBuffer frame(int opcode, byte[] payload, boolean masked) {
        ByteBuffer frame = ByteBuffer.allocate(2 + (masked ? 4 : 0) + payload.length);
        frame.put((byte) (FIN | opcode));
        frame.put((byte) ((masked ? MASK : 0) | payload.length));
        if (masked) {
            byte[] key = new byte[4];
            MaskKeys.nextBytes(key);
            frame.put(key);
            for (int i = 0; i < payload.length; i++) {
                frame.put((byte) (payload[i] ^ key[i & 3]));
            }
        } else {
            frame.put(payload);
        }
        return frame.flip();
    }

    /** The longest prefix of {@code text} that is at most {@code max} UTF-8 bytes and ends on a character. */
    static byte[] utf8Prefix(String text, int max) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= max) {
            return bytes;
        }
        int end = max;
        while (end > 0 && (bytes[end] & 0xC0) == 0x80) {
            end--;
        }
        return java.util.Arrays.copyOf(bytes, end);
    }
}
