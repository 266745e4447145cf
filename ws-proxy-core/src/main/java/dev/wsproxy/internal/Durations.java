package dev.wsproxy.internal;

import java.time.Duration;

/** Formats durations the way people write them in config: {@code 10s}, {@code 500ms}, {@code 2m}. */
public final class Durations {

    private Durations() {
    }

    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms % 60_000 == 0 && ms >= 60_000) {
            return ms / 60_000 + "m";
        }
        if (ms % 1000 == 0) {
            return ms / 1000 + "s";
        }
        return ms + "ms";
    }
}
