package dev.wsproxy.jetty;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Captures the access log's lines: the tests' SLF4J provider (slf4j-simple) writes to whatever {@code System.err}
 * is at the time of each line, so this tees {@code System.err} and keeps the lines of the
 * {@code dev.wsproxy.access} logger (the part after {@code " - "}). Restores {@code System.err} on close.
 */
final class AccessLogCapture implements AutoCloseable {

    private final PrintStream original = System.err;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

    AccessLogCapture() {
        System.setErr(new PrintStream(new Tee(), true, StandardCharsets.UTF_8));
    }

    /** The next access log line that contains every fragment; fails after 10 s. */
    String next(String... fragments) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            String line = left <= 0 ? null : lines.poll(left, TimeUnit.NANOSECONDS);
            if (line == null) {
                throw new AssertionError("no access log line with " + String.join(", ", fragments) + " within 10s");
            }
            boolean all = true;
            for (String f : fragments) {
                all &= line.contains(f);
            }
            if (all) {
                return line;
            }
        }
    }

    @Override
    public void close() {
        System.setErr(original);
    }

    private final class Tee extends OutputStream {
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        @Override
        public synchronized void write(int b) {
            original.write(b);
            if (b == '\n') {
                String s = line.toString(StandardCharsets.UTF_8);
                line.reset();
                int at = s.indexOf("dev.wsproxy.access - ");
                if (at >= 0) {
                    lines.add(s.substring(at + "dev.wsproxy.access - ".length()).strip());
                }
            } else {
                line.write(b);
            }
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            for (int i = off; i < off + len; i++) {
                write(b[i]);
            }
        }
    }
}
