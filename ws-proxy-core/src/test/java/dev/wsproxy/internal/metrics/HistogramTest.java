package dev.wsproxy.internal.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The fixed-bucket timer: counts, sums, maxima and bucket-bound quantiles. */
class HistogramTest {

    private static Histogram.Snapshot snapshot(long... millis) {
        Histogram h = new Histogram();
        for (long m : millis) {
            h.record(TimeUnit.MILLISECONDS.toNanos(m));
        }
        Histogram.Snapshot s = new Histogram.Snapshot();
        h.addTo(s);
        return s;
    }

    @Test
    void countMeanAndMaxAreExact() {
        Histogram.Snapshot s = snapshot(1, 3, 8);
        assertEquals(3, s.count());
        assertEquals(4.0, s.meanMillis(), 1e-9);
        assertEquals(8.0, s.maxMillis(), 1e-9);
    }

    @Test
    void aQuantileIsTheUpperBoundOfItsBucketCappedAtTheMax() {
        Histogram.Snapshot s = snapshot(3, 3, 3, 3, 3, 3, 3, 3, 3, 40);
        assertEquals(5.0, s.quantileMillis(0.5), 1e-9);   // 3 ms falls in the [2, 5) bucket
        assertEquals(40.0, s.quantileMillis(0.99), 1e-9); // [20, 50) capped at the max seen
    }

    @Test
    void durationsBeyondADayLandInTheOpenBucket() {
        Histogram.Snapshot s = snapshot(TimeUnit.DAYS.toMillis(3));
        assertEquals(TimeUnit.DAYS.toMillis(3), s.quantileMillis(0.5), 1e-9);
    }

    @Test
    void negativeDurationsCountAsZeroAndAnEmptyHistogramReadsZero() {
        Histogram h = new Histogram();
        h.record(-5);
        assertEquals(0, h.maxNanos());
        assertEquals(0.0, new Histogram.Snapshot().quantileMillis(0.99), 1e-9);
    }
}
