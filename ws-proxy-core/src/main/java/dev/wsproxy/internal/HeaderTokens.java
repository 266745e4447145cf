package dev.wsproxy.internal;

import java.util.ArrayList;
import java.util.List;

/** Parsing of comma-separated header token lists (RFC 9110 section 5.6.1). Stateless. */
public final class HeaderTokens {

    private HeaderTokens() {
    }

    /** All tokens of all field lines, trimmed, empty elements dropped, case kept. */
    public static List<String> split(List<String> fieldLines) {
        List<String> tokens = new ArrayList<>();
        for (String line : fieldLines) {
            if (line == null) {
                continue;
            }
            for (String part : line.split(",")) {
                String token = part.trim();
                if (!token.isEmpty()) {
                    tokens.add(token);
                }
            }
        }
        return tokens;
    }

    /** Whether any field line holds {@code token}, compared case-insensitively. */
    public static boolean contains(List<String> fieldLines, String token) {
        for (String t : split(fieldLines)) {
            if (t.equalsIgnoreCase(token)) {
                return true;
            }
        }
        return false;
    }

    /** Whether a header value may be sent on the wire: no CR, LF or NUL (response splitting). */
    public static boolean isSafeValue(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\r' || c == '\n' || c == 0) {
                return false;
            }
        }
        return true;
    }
}
