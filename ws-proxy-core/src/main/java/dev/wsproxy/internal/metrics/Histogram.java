package dev.wsproxy.internal.metrics;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;

/**
 * A timer with fixed buckets (1 ms to 1 day, roughly 1-2-5 steps): count, total, max and bucket counts, each a
 * lock-free adder, so recording from many threads costs a few uncontended additions. Percentiles read from it
 * are the upper bound of the bucket they fall in.
 *
 * <p>Thread-safe.
 */
public final class Histogram {

    /** Bucket upper bounds in milliseconds; a last, open bucket takes the rest. */
    static final long[] BOUNDS_MILLIS = {1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 30_000,
        60_000, 300_000, 900_000, 3_600_000, 14_400_000, 86_400_000};

    private final LongAdder count = new LongAdder();
    private final LongAdder totalNanos = new LongAdder();
    private final LongAccumulator maxNanos = new LongAccumulator(Math::max, 0);
    private final LongAdder[] buckets = new LongAdder[BOUNDS_MILLIS.length + 1];

    public Histogram() {
        for (int i = 0; i < buckets.length; i++) {
            buckets[i] = new LongAdder();
        }
    }

    /** Records one duration; negative values count as 0. */
    public void record(long nanos) {
        long n = Math.max(0, nanos);
        count.increment();
        totalNanos.add(n);
        maxNanos.accumulate(n);
        long millis = TimeUnit.NANOSECONDS.toMillis(n);
        int i = 0;
        while (i < BOUNDS_MILLIS.length && millis >= BOUNDS_MILLIS[i]) {
            i++;
        }
        buckets[i].increment();
    }

    /** Adds everything recorded here to {@code into} (for sums over groups). */
    void addTo(Snapshot into) {
        into.count += count.sum();
        into.totalNanos += totalNanos.sum();
        into.maxNanos = Math.max(into.maxNanos, maxNanos.get());
        for (int i = 0; i < buckets.length; i++) {
            into.buckets[i] += buckets[i].sum();
        }
    }

    public long count() {
        return count.sum();
    }

    public long totalNanos() {
        return totalNanos.sum();
    }

    public long maxNanos() {
        return maxNanos.get();
    }

    /** A point-in-time copy, summable over several histograms. */
    public static final class Snapshot {
        long count;
        long totalNanos;
        long maxNanos;
        final long[] buckets = new long[BOUNDS_MILLIS.length + 1];

        public long count() {
            return count;
        }

        public double meanMillis() {
            return count == 0 ? 0 : totalNanos / 1e6 / count;
        }

        public double maxMillis() {
            return maxNanos / 1e6;
        }

        /** The upper bound (ms) of the bucket holding the {@code q} quantile; the max for the open bucket. */
        public double quantileMillis(double q) {
            if (count == 0) {
                return 0;
            }
            long rank = (long) Math.ceil(q * count);
            long seen = 0;
            for (int i = 0; i < buckets.length; i++) {
                seen += buckets[i];
                if (seen >= rank) {
                    return i < BOUNDS_MILLIS.length ? Math.min(BOUNDS_MILLIS[i], maxMillis()) : maxMillis();
                }
            }
            return maxMillis();
        }
    }
}
