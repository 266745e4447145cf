package dev.wsproxy.internal.tunnel;

import dev.wsproxy.internal.Sizes;

/**
 * Reading and checking RFC 6455 frame headers (section 5.2) as a {@link Direction} assembles them: header
 * length from the first two bytes, payload length, and the checks a proxy can make from a header alone
 * (masking by direction, opcodes, RSV bits against the negotiated extensions, control frame rules,
 * fragmentation order, frame and message limits). Stateless.
 */
final class FrameHeaders {

    private FrameHeaders() {
    }

    /** Header length so far known from the first two bytes (2 until they are read). */
    static int length(byte[] header, int headerFill) {
        return headerFill < 2 ? 2 : length(header[1]);
    }

    /** Header length given the second header byte. */
    static int length(int b1) {
        int len7 = b1 & 0x7F;
        return 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + ((b1 & Frames.MASK) != 0 ? 4 : 0);
    }

    /**
     * Payload length of the header starting at {@code at} in {@code in}, whose second byte is {@code b1}; the
     * whole header must be readable. Absolute reads: the buffer's position and byte order are not used.
     */
    static long payloadLength(java.nio.ByteBuffer in, int at, int b1) {
        int len7 = b1 & 0x7F;
        if (len7 < 126) {
            return len7;
        }
        if (len7 == 126) {
            return ((in.get(at + 2) & 0xFF) << 8) | (in.get(at + 3) & 0xFF);
        }
        long length = 0;
        for (int i = at + 2; i < at + 10; i++) {
            length = (length << 8) | (in.get(i) & 0xFF);
        }
        return length;
    }

    static long payloadLength(byte[] header) {
        int len7 = header[1] & 0x7F;
        if (len7 < 126) {
            return len7;
        }
        if (len7 == 126) {
            return ((header[2] & 0xFF) << 8) | (header[3] & 0xFF);
        }
        long length = 0;
        for (int i = 2; i < 10; i++) {
            length = (length << 8) | (header[i] & 0xFF);
        }
        return length;
    }

    /**
     * Checks a complete header, given its first two bytes and its payload length: null, or "CODE reason" (1002
     * protocol, 1009 too big).
     */
    static String check(int first, int second, long length, String sourceName, boolean fromClient,
                        boolean allowRsv1, boolean allowOtherRsv, boolean inMessage, long messageBytes,
                        long maxFrameSize, long maxMessageSize) {
        int b0 = first & 0xFF;
        int opcode = b0 & 0x0F;
        boolean masked = (second & Frames.MASK) != 0;
        if (masked != fromClient) {
            return fromClient ? "1002 client sent an unmasked frame (RFC 6455 5.1)"
                    : "1002 upstream sent a masked frame (RFC 6455 5.1)";
        }
        if (!Frames.isKnown(opcode)) {
            return "1002 " + sourceName + " sent a frame with reserved opcode " + opcode;
        }
        boolean control = Frames.isControl(opcode);
        if ((b0 & Frames.RSV1) != 0 && !(allowRsv1 && (opcode == Frames.TEXT || opcode == Frames.BINARY))) {
            return "1002 " + sourceName + " set RSV1 without a negotiated extension that defines it";
        }
        if ((b0 & Frames.RSV2_3) != 0 && !allowOtherRsv) {
            return "1002 " + sourceName + " set RSV2/RSV3 without a negotiated extension that defines them";
        }
        if (length < 0) {
            return "1002 " + sourceName + " sent a frame length with the most significant bit set";
        }
        if (control) {
            if ((b0 & Frames.FIN) == 0) {
                return "1002 " + sourceName + " sent a fragmented control frame";
            }
            if (length > Frames.MAX_CONTROL_PAYLOAD) {
                return "1002 " + sourceName + " sent a control frame of " + length + " bytes (at most 125)";
            }
            return null;
        }
        if (opcode == Frames.CONTINUATION && !inMessage) {
            return "1002 " + sourceName + " sent a continuation frame outside a fragmented message";
        }
        if (opcode != Frames.CONTINUATION && inMessage) {
            return "1002 " + sourceName + " started a new message before finishing the fragmented one";
        }
        if (length > maxFrameSize) {
            return "1009 " + sourceName + " sent a frame larger than the "
                    + Sizes.format(maxFrameSize) + " limit";
        }
        if (messageBytes + length > maxMessageSize) {
            return "1009 " + sourceName + " sent a message larger than the "
                    + Sizes.format(maxMessageSize) + " limit";
        }
        return null;
    }

}
