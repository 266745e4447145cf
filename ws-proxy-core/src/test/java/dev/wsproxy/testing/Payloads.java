package dev.wsproxy.testing;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.SplittableRandom;

/**
 * Deterministic test payloads: the same size and seed give the same bytes in the backend and in the test,
 * so a test can check what arrived by its SHA-256 without the two sides sharing the data. Stateless.
 */
public final class Payloads {

    private Payloads() {
    }

    /** {@code size} pseudo-random bytes. */
    public static byte[] binary(int size, long seed) {
        byte[] data = new byte[size];
        new SplittableRandom(seed).nextBytes(data);
        return data;
    }

    /**
     * Text whose UTF-8 encoding is exactly {@code utf8Bytes} long, mixing 1-, 2-, 3- and 4-byte characters
     * (the 4-byte ones are surrogate pairs in Java) so that splits in transit land inside characters.
     */
    public static String text(int utf8Bytes, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        StringBuilder text = new StringBuilder(utf8Bytes);
        int remaining = utf8Bytes;
        while (remaining > 0) {
            int width = remaining < 4 ? 1 : 1 + random.nextInt(4);
            switch (width) {
                case 1:
                    text.append((char) ('a' + random.nextInt(26)));
                    break;
                case 2:
                    text.append((char) (0x00C0 + random.nextInt(0x40)));   // À..ÿ
                    break;
                case 3:
                    text.append((char) (0x4E00 + random.nextInt(0x5000))); // CJK ideographs
                    break;
                default:
                    text.appendCodePoint(0x1F600 + random.nextInt(0x50));  // emoticons
                    break;
            }
            remaining -= width;
        }
        return text.toString();
    }

    /** Hex SHA-256 of {@code data}. */
    public static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Hex SHA-256 of the UTF-8 encoding of {@code text}. */
    public static String sha256(String text) {
        return sha256(text.getBytes(StandardCharsets.UTF_8));
    }
}
