package dev.wsproxy.internal.tunnel;

/**
 * What ended a tunnel, decided once under the tunnel's lock: the close code and reason both peers are told,
 * whether it was a failure, and which side ended first. Immutable.
 */
final class Ending {
    final int code;
    final String reason;
    final boolean failed;
    final boolean byClient;
    final Throwable cause;

    Ending(int code, String reason, boolean failed, boolean byClient, Throwable cause) {
        this.code = code;
        this.reason = reason;
        this.failed = failed;
        this.byClient = byClient;
        this.cause = cause;
    }

    /** Whether {@code cause} is the TCP connection going away (EOF, reset, broken pipe, closed channel). */
    static boolean isConnectionLoss(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof java.nio.channels.ClosedChannelException || t instanceof java.io.EOFException
                    || t instanceof java.net.SocketException) {
                return true;
            }
            if (t instanceof java.io.IOException && t.getClass() == java.io.IOException.class) {
                return true; // the JDK reports resets and broken pipes as plain IOExceptions
            }
        }
        return false;
    }
}
