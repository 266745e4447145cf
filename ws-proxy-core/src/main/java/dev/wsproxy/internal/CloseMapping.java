package dev.wsproxy.internal;

import jakarta.websocket.CloseReason;
import jakarta.websocket.CloseReason.CloseCode;
import jakarta.websocket.Session;
import java.nio.charset.StandardCharsets;
import org.glassfish.tyrus.core.TyrusSession;

/**
 * The one place that decides which close code and reason a peer receives when the other peer closes,
 * vanishes or fails, or when the proxy itself ends a connection. Stateless.
 *
 * <p>Codes that may appear on the wire (RFC 6455 section 7.4, IANA registry) pass through unchanged with
 * their reasons: 1000-1003, 1007-1014, 3000-4999. The codes that only describe local events are never
 * sent: 1005 (no status) becomes 1000; 1006 (connection lost) and 1015 (TLS failure) become 1001 towards
 * the upstream (the client went away) and 1014 towards the client (bad gateway). Reserved codes (1004,
 * 1016-2999) become 1002.
 */
public final class CloseMapping {

    /** RFC 6455 section 5.5: a control frame payload is at most 125 bytes, 2 of them the code. */
    static final int MAX_REASON_BYTES = 123;

    public static final int NORMAL = 1000;
    public static final int GOING_AWAY = 1001;
    public static final int PROTOCOL_ERROR = 1002;
    public static final int POLICY_VIOLATION = 1008;
    public static final int TOO_BIG = 1009;
    public static final int INTERNAL_ERROR = 1011;
    public static final int BAD_GATEWAY = 1014;

    private CloseMapping() {
    }

    /** What the upstream receives when the client closed (or its connection ended) with {@code reason}. */
    public static CloseReason clientClosed(CloseReason reason) {
        int code = reason.getCloseCode().getCode();
        switch (code) {
            case 1005:
                return of(NORMAL, "");
            case 1006:
                return of(GOING_AWAY, "client connection lost");
            case 1015:
                return of(GOING_AWAY, "client TLS failure");
            default:
                return passThrough(code, reason.getReasonPhrase());
        }
    }

    /** What the client receives when the upstream closed (or its connection ended) with {@code reason}. */
    public static CloseReason upstreamClosed(CloseReason reason) {
        int code = reason.getCloseCode().getCode();
        switch (code) {
            case 1005:
                return of(NORMAL, "");
            case 1006:
                return of(BAD_GATEWAY, "upstream connection lost");
            case 1015:
                return of(BAD_GATEWAY, "upstream TLS failure");
            default:
                return passThrough(code, reason.getReasonPhrase());
        }
    }

    /** What the upstream receives when the proxy failed to talk to the client. */
    public static CloseReason clientFailed(Throwable cause) {
        return of(GOING_AWAY, isConnectionLoss(cause) ? "client connection lost"
                : "client connection failed: " + describe(cause));
    }

    /** What the client receives when the proxy failed to talk to the upstream after the 101. */
    public static CloseReason upstreamFailed(Throwable cause) {
        return of(BAD_GATEWAY, isConnectionLoss(cause) ? "upstream connection lost"
                : "upstream failed: " + describe(cause));
    }

    /** Whether {@code cause} is the TCP connection going away (EOF, reset, broken pipe, closed channel). */
    static boolean isConnectionLoss(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof java.nio.channels.ClosedChannelException || t instanceof java.io.EOFException) {
                return true;
            }
            String message = t.getMessage();
            if (t instanceof java.io.IOException && message != null
                    && (message.contains("reset") || message.contains("Broken pipe") || message.contains("closed"))) {
                return true;
            }
        }
        return false;
    }

    /** What both peers receive when the proxy is shut down. */
    public static CloseReason proxyShutdown() {
        return of(GOING_AWAY, "proxy shutting down");
    }

    /**
     * Whether Tyrus ended the upstream session because a frame exceeded its incoming buffer (the route's
     * max frame size): it reports that as 1011 "Buffer overflow.", which the client should see as 1009.
     */
    public static boolean isUpstreamFrameOverflow(CloseReason reason) {
        return reason.getCloseCode().getCode() == INTERNAL_ERROR && "Buffer overflow.".equals(reason.getReasonPhrase());
    }

    /**
     * Whether Tyrus ended the upstream session itself because the upstream's bytes were not valid frames (it
     * then sends 1002 to the upstream and reports 1002 with one of its own protocol-error texts, through the
     * same callback as a close frame the upstream sent). Tyrus offers no other signal, so its own message texts
     * are compared, taken from its message catalogue rather than copied.
     */
    public static boolean isUpstreamProtocolViolation(CloseReason reason) {
        if (reason.getCloseCode().getCode() != PROTOCOL_ERROR) {
            return false;
        }
        String text = reason.getReasonPhrase();
        return TYRUS_PROTOCOL_ERRORS.contains(text) || text.startsWith("Illegal close code: ")
                || text.startsWith("Illegal status code: ") || text.startsWith("Unknown wrappedFrame type");
    }

    private static final java.util.Set<String> TYRUS_PROTOCOL_ERRORS = java.util.Set.of(
            org.glassfish.tyrus.core.l10n.LocalizationMessages.CONTROL_FRAME_FRAGMENTED(),
            org.glassfish.tyrus.core.l10n.LocalizationMessages.CONTROL_FRAME_LENGTH(),
            org.glassfish.tyrus.core.l10n.LocalizationMessages.FRAGMENT_INVALID_OPCODE(),
            org.glassfish.tyrus.core.l10n.LocalizationMessages.RSV_INCORRECTLY_SET(),
            org.glassfish.tyrus.core.l10n.LocalizationMessages.UNEXPECTED_END_FRAGMENT());

    /** Whether {@code code} may be sent in a close frame. */
    public static boolean isTransmittable(int code) {
        return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
    }

    /**
     * A close reason whose phrase is cut at a character boundary to fit a close frame. The code is built
     * directly, never through {@code CloseCodes.getCloseCode}: the copy of the Jakarta API that wins on the
     * classpath decides what that accepts, and Tomcat's throws for 1014.
     */
    public static CloseReason of(int code, String reason) {
        return new CloseReason(new Code(code), truncate(reason));
    }

    /**
     * A close code any Jakarta implementation can send: it only reads {@link #getCode()}. Equal to any other
     * {@link CloseCode} with the same number, so comparisons with {@code CloseCodes} constants still work
     * from this side.
     */
    static final class Code implements CloseCode {
        private final int code;

        Code(int code) {
            this.code = code;
        }

        @Override
        public int getCode() {
            return code;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof CloseCode && ((CloseCode) other).getCode() == code;
        }

        @Override
        public int hashCode() {
            return code;
        }

        @Override
        public String toString() {
            return Integer.toString(code);
        }
    }

    /**
     * {@code reason} as it can be sent on {@code session}. Tyrus builds its close frame through
     * {@code CloseCodes.getCloseCode}, so a code the Jakarta API on the classpath refuses (Tomcat's refuses
     * 1014) would throw inside Tyrus after the session was marked closing, and no close would ever be sent:
     * such a code goes to a Tyrus session as 1011 with the original code in the reason.
     */
    static CloseReason sendable(Session session, CloseReason reason) {
        int code = code(reason);
        if (!(session instanceof TyrusSession) || apiAccepts(code)) {
            return reason;
        }
        return of(INTERNAL_ERROR, code + " " + reason.getReasonPhrase());
    }

    /** Whether the Jakarta API copy on the classpath builds a close code for {@code code}. */
    static boolean apiAccepts(int code) {
        if (code >= 3000 && code <= 4999) {
            return true;
        }
        try {
            return CloseReason.CloseCodes.getCloseCode(code).getCode() == code;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static CloseReason passThrough(int code, String reason) {
        if (isTransmittable(code)) {
            return of(code, reason == null ? "" : reason);
        }
        return of(PROTOCOL_ERROR, "peer sent reserved close code " + code);
    }

    static String describe(Throwable cause) {
        if (cause == null) {
            return "unknown";
        }
        String message = cause.getMessage();
        return cause.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    static String truncate(String reason) {
        if (reason == null) {
            return "";
        }
        byte[] bytes = reason.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= MAX_REASON_BYTES) {
            return reason;
        }
        int end = MAX_REASON_BYTES;
        // step back over UTF-8 continuation bytes so no character is cut in half
        while (end > 0 && (bytes[end] & 0xC0) == 0x80) {
            end--;
        }
        return new String(bytes, 0, end, StandardCharsets.UTF_8);
    }

    /** The numeric code of a reason. */
    public static int code(CloseReason reason) {
        CloseCode code = reason.getCloseCode();
        return code.getCode();
    }
}
