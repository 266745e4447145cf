package dev.wsproxy.internal.metrics;

import java.util.Comparator;
import java.util.List;

/** The order of a meter's extra tags in JMX attribute names: stable, most significant first. */
final class MeterTags {

    private static final List<String> KEYS = List.of("direction", "side", "status", "outcome", "ended_by", "code",
            "cause");

    static final Comparator<String> ORDER = Comparator.comparingInt((String k) -> {
        int i = KEYS.indexOf(k);
        return i < 0 ? KEYS.size() : i;
    }).thenComparing(Comparator.naturalOrder());

    private MeterTags() {
    }
}
