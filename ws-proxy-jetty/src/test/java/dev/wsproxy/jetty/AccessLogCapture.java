package dev.wsproxy.jetty;

/**
 * Captures the access log's lines (logger {@code dev.wsproxy.access}) with {@link LogCapture}; {@link #next}
 * returns a line's message, the part after {@code " - "}. Restores {@code System.err} on close.
 */
final class AccessLogCapture extends LogCapture {

    AccessLogCapture() {
        super("dev.wsproxy.access");
    }

    /** The next access log line that contains every fragment; fails after 10 s. */
    String next(String... fragments) throws InterruptedException {
        return await(fragments).message();
    }
}
