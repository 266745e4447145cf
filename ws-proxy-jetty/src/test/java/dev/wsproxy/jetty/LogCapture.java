package dev.wsproxy.jetty;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Captures log lines of the loggers under a name: the tests' SLF4J provider (slf4j-simple) writes
 * {@code time [thread] LEVEL logger - message} to whatever {@code System.err} is at the time of each line, so
 * this tees {@code System.err} and keeps the level, logger and message of every line whose logger starts with
 * the prefix. Restores {@code System.err} on close. Thread-safe.
 */
class LogCapture implements AutoCloseable {

    /** One captured line. */
    record Line(String level, String logger, String message) {
        @Override
        public String toString() {
            return level + " " + logger + " - " + message;
        }
    }

    private static final Pattern LINE = Pattern.compile("\\] (TRACE|DEBUG|INFO|WARN|ERROR) (\\S+) - (.*)$");

    private final PrintStream original = System.err;
    private final String loggerPrefix;
    private final BlockingQueue<Line> pending = new LinkedBlockingQueue<>();
    private final List<Line> all = new ArrayList<>();

    /** @param loggerPrefix e.g. {@code "dev.wsproxy.access"} or {@code "dev.wsproxy.internal.pool."} */
    LogCapture(String loggerPrefix) {
        this.loggerPrefix = loggerPrefix;
        System.setErr(new PrintStream(new Tee(), true, StandardCharsets.UTF_8));
    }

    /** The next captured line (after those already returned) for which every fragment occurs; fails after 10 s. */
    Line await(String... fragments) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            Line line = left <= 0 ? null : pending.poll(left, TimeUnit.NANOSECONDS);
            if (line == null) {
                throw new AssertionError("no log line of " + loggerPrefix + " with " + String.join(", ", fragments)
                        + " within 10s");
            }
            boolean every = true;
            for (String f : fragments) {
                every &= line.message().contains(f);
            }
            if (every) {
                return line;
            }
        }
    }

    /** Every line captured so far of {@code level} (null: any) whose message contains every fragment. */
    synchronized List<Line> lines(String level, String... fragments) {
        List<Line> found = new ArrayList<>();
        for (Line line : all) {
            boolean every = level == null || line.level().equals(level);
            for (String f : fragments) {
                every &= line.message().contains(f);
            }
            if (every) {
                found.add(line);
            }
        }
        return found;
    }

    private synchronized void add(Line line) {
        all.add(line);
        pending.add(line);
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
                Matcher m = LINE.matcher(s.stripTrailing());
                if (m.find() && m.group(2).startsWith(loggerPrefix)) {
                    add(new Line(m.group(1), m.group(2), m.group(3).strip()));
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
