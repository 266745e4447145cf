package dev.wsproxy.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns a raw (percent-encoded) request path into the one spelling routes are matched against and the
 * upstream is sent, the way nginx normalises a path before choosing a {@code location}. Stateless.
 *
 * <p>The steps, per RFC 3986 section 6.2.2 and 5.2.4:
 * <ol>
 *   <li>broken percent-encoding is refused;</li>
 *   <li>escapes of unreserved characters ({@code A-Z a-z 0-9 - . _ ~}) are decoded, other escapes are kept
 *       with upper-case hex ({@code %c3%a9} becomes {@code %C3%A9});</li>
 *   <li>{@code ;parameters} are removed (servlet containers ignore them when mapping a path, so the upstream
 *       must not see a segment the route did not);</li>
 *   <li>{@code .} segments are removed and {@code ..} segments remove the one before; a {@code ..} that
 *       would climb above the root is refused;</li>
 *   <li>repeated {@code /} are merged into one ({@link #normalize(String, boolean) keepRepeatedSlashes}
 *       keeps them).</li>
 * </ol>
 * Spellings that different servers read differently are refused outright: an encoded {@code ;}, {@code /},
 * {@code \} or {@code %} behind another {@code %25} (double encoding: {@code %252e}), a dot segment carrying
 * parameters ({@code ..;x}, {@code .;x}, {@code %2e%2e%3b}), and a raw or encoded backslash. An encoded
 * slash ({@code %2F}) inside a segment is not a separator here; whether a route accepts it is the route's
 * {@code allowEncodedSlash} setting ({@link Result#hasEncodedSlash()}).
 */
public final class PathNormalizer {

    private static final String HEX = "0123456789ABCDEF";

    private PathNormalizer() {
    }

    /**
     * The outcome: the normalised path (always set, best effort when refused, so the caller can still tell
     * which route a refused path was aimed at) and the reason it must be refused, or {@code null}.
     */
    public static final class Result {
        private final String path;
        private final String problem;
        private final boolean encodedSlash;

        Result(String path, String problem, boolean encodedSlash) {
            this.path = path;
            this.problem = problem;
            this.encodedSlash = encodedSlash;
        }

        /** The normalised path, starting with {@code /}; escapes other than unreserved characters kept. */
        public String path() {
            return path;
        }

        /** Why the raw path must be refused with 400, or {@code null}. */
        public String problem() {
            return problem;
        }

        /** Whether a segment holds an encoded slash ({@code %2F}). */
        public boolean hasEncodedSlash() {
            return encodedSlash;
        }
    }

    /**
     * Normalises {@code rawPath}.
     *
     * @param rawPath the raw path, starting with {@code /} (one is added when it does not)
     * @param keepRepeatedSlashes keep empty segments ({@code //}) instead of merging them
     */
    public static Result normalize(String rawPath, boolean keepRepeatedSlashes) {
        String problem = null;
        String badEscape = PathRules.badPercentEncoding(rawPath);
        if (badEscape != null) {
            problem = "the path has invalid percent-encoding '" + HandshakeValidator.printable(badEscape)
                    + "' (encode '%' itself as %25)";
        }
        String path = rawPath.startsWith("/") ? rawPath : "/" + rawPath;
        String[] segments = path.substring(1).split("/", -1);
        List<String> out = new ArrayList<>(segments.length);
        boolean encodedSlash = false;
        boolean trailingSlash = false;
        for (int i = 0; i < segments.length; i++) {
            boolean last = i == segments.length - 1;
            String segment = badEscape == null ? decodeUnreserved(segments[i]) : segments[i];
            String upper = segment.toUpperCase(java.util.Locale.ROOT);
            if (problem == null) {
                problem = ambiguity(segment, upper);
            }
            encodedSlash |= upper.contains("%2F");
            int params = segment.indexOf(';');
            String name = params < 0 ? segment : segment.substring(0, params);
            if ((name.equals(".") || name.equals("..")) && params >= 0) {
                if (problem == null) {
                    problem = "the path has a '" + name + "' segment with parameters ('"
                            + HandshakeValidator.printable(segment) + "'), which servers resolve differently"
                            + " (send the path without dot segments)";
                }
                // refused anyway: kept as a name so the refusal is still matched to the route it was aimed at
                trailingSlash = false;
                out.add(segment);
                continue;
            }
            if (name.equals(".") || name.equals("..")) {
                if (name.equals("..")) {
                    if (out.isEmpty() && problem == null) {
                        problem = "the path's '..' segments climb above the root (send the path without '..')";
                    }
                    if (!out.isEmpty()) {
                        out.remove(out.size() - 1);
                    }
                }
                trailingSlash = last;
                continue;
            }
            if (name.isEmpty() && !keepRepeatedSlashes && !last) {
                continue;
            }
            trailingSlash = false;
            out.add(name);
        }
        StringBuilder normalized = new StringBuilder(path.length());
        for (String segment : out) {
            normalized.append('/').append(segment);
        }
        if (trailingSlash || normalized.length() == 0) {
            normalized.append('/');
        }
        return new Result(normalized.toString(), problem, encodedSlash);
    }

    /** Spellings servers disagree on, or {@code null}. {@code upper} is {@code segment} upper-cased. */
    private static String ambiguity(String segment, String upper) {
        for (String doubled : new String[] {"%252E", "%252F", "%255C", "%253B", "%2525"}) {
            if (upper.contains(doubled)) {
                return "the path has a double-encoded '" + doubled + "' (some servers decode twice; send the"
                        + " character encoded once)";
            }
        }
        if (segment.indexOf('\\') >= 0 || upper.contains("%5C")) {
            return "the path has a backslash, which some servers treat as '/' (send '/' or leave it out)";
        }
        if (upper.contains("%2F")) {
            for (String piece : upper.split("%2F", -1)) {
                int params = piece.indexOf(';');
                String name = params < 0 ? piece : piece.substring(0, params);
                if (name.equals(".") || name.equals("..")) {
                    return "the path has a dot segment next to an encoded slash ('" + HandshakeValidator.printable(
                            segment) + "'), which servers that decode %2F resolve (send the path without it)";
                }
            }
        }
        String decodedSemicolon = upper.replace("%3B", ";");
        if (decodedSemicolon.startsWith(".;") || decodedSemicolon.startsWith("..;")) {
            return "the path has a dot segment with parameters ('" + HandshakeValidator.printable(segment)
                    + "'), which servers resolve differently (send the path without dot segments)";
        }
        return null;
    }

    /** Decodes escapes of unreserved characters and upper-cases the hex of the others. */
    static String decodeUnreserved(String segment) {
        if (segment.indexOf('%') < 0) {
            return segment;
        }
        StringBuilder out = new StringBuilder(segment.length());
        for (int i = 0; i < segment.length(); i++) {
            char c = segment.charAt(i);
            if (c != '%' || i + 2 >= segment.length()) {
                out.append(c);
                continue;
            }
            int value = Character.digit(segment.charAt(i + 1), 16) * 16 + Character.digit(segment.charAt(i + 2), 16);
            if (isUnreserved((char) value)) {
                out.append((char) value);
            } else {
                out.append('%').append(HEX.charAt(value >> 4)).append(HEX.charAt(value & 0xf));
            }
            i += 2;
        }
        return out.toString();
    }

    private static boolean isUnreserved(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "-._~".indexOf(c) >= 0;
    }
}
