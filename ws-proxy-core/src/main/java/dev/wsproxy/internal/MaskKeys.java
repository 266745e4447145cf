package dev.wsproxy.internal;

import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Random;

/**
 * Masking keys for the frames the proxy sends upstream (RFC 6455 §5.3: a fresh, unpredictable key per
 * frame), without the JVM-wide lock of the default {@link SecureRandom}.
 *
 * <p>Why: on Linux {@code new SecureRandom()} is NativePRNG, and every NativePRNG instance reads through one
 * shared, synchronised {@code /dev/urandom} reader and one shared SHA1PRNG mixer. Tyrus and Jetty draw each
 * frame's key from such an instance, so every relayed frame of every connection queued on those two locks:
 * the largest blocked time in the proxy's flight recordings under the throughput benchmark.
 *
 * <p>Here each thread has its own DRBG (still a cryptographic generator, seeded once from the system) and
 * takes keys from a small buffer of its output. Thread-safe; no locks.
 */
public final class MaskKeys {

    private static final ThreadLocal<Source> SOURCES = ThreadLocal.withInitial(Source::new);

    private MaskKeys() {
    }

    /** A masking key. */
    public static int nextInt() {
        return SOURCES.get().nextInt();
    }

    /** Fills {@code bytes} with key material. */
    public static void nextBytes(byte[] bytes) {
        Source source = SOURCES.get();
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = source.nextByte();
        }
    }

    /** A {@link Random} view for libraries that take one (Jetty's WebSocket connection). */
    public static Random asRandom() {
        return new KeyRandom();
    }

    private static final class Source {
        private final SecureRandom random = drbg();
        private final byte[] buffer = new byte[256];
        private int position = buffer.length;

        byte nextByte() {
            if (position == buffer.length) {
                random.nextBytes(buffer);
                position = 0;
            }
            return buffer[position++];
        }

        int nextInt() {
            return (nextByte() & 0xff) << 24 | (nextByte() & 0xff) << 16 | (nextByte() & 0xff) << 8 | (nextByte() & 0xff);
        }

        private static SecureRandom drbg() {
            try {
                return SecureRandom.getInstance("DRBG");
            } catch (NoSuchAlgorithmException e) {
                return new SecureRandom();
            }
        }
    }

    private static final class KeyRandom extends Random {
        private static final long serialVersionUID = 1L;

        @Override
        public void nextBytes(byte[] bytes) {
            MaskKeys.nextBytes(bytes);
        }

        @Override
        protected int next(int bits) {
            return MaskKeys.nextInt() >>> (32 - bits);
        }
    }
}
