package dev.wsproxy.internal.pool;

import java.nio.charset.StandardCharsets;

/**
 * Weighted rendezvous (highest random weight) hashing with a fixed 64-bit hash (FNV-1a over the UTF-8 bytes of
 * key and member name, then the SplitMix64 finaliser): no seed, no {@code String.hashCode}, so every proxy
 * instance on every JVM ranks the members of a key the same way. Removing a member moves only the keys it
 * ranked first; each key's order of the remaining members is unchanged. Stateless.
 */
final class Rendezvous {

    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    private Rendezvous() {
    }

    /** The member's score for {@code key}: higher wins. Weighted as -w / ln(u) with u uniform in (0, 1). */
    static double score(String key, String member, int weight) {
        long h = hash(key, member);
        double u = ((h >>> 11) + 0.5) / (double) (1L << 53);
        return -weight / StrictMath.log(u); // StrictMath: the same bits on every JVM and CPU
    }

    static long hash(String key, String member) {
        long h = FNV_OFFSET;
        h = fnv(h, key.getBytes(StandardCharsets.UTF_8));
        h = (h ^ 0xff) * FNV_PRIME; // a separator no UTF-8 text contains
        h = fnv(h, member.getBytes(StandardCharsets.UTF_8));
        return mix(h);
    }

    private static long fnv(long h, byte[] bytes) {
        for (byte b : bytes) {
            h = (h ^ (b & 0xff)) * FNV_PRIME;
        }
        return h;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
