package dev.wsproxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wsproxy.internal.PathNormalizer;
import org.junit.jupiter.api.Test;

/**
 * The path normaliser as a table of one-liners: the spelling routes are matched against (and the upstream
 * gets) for a raw request path, or the refusal. Pure function, no sockets.
 */
class PathNormalizerTest {

    // --- unchanged ---
    @Test void rootStaysRoot() { normalizes("/", "/"); }
    @Test void plainPathUnchanged() { normalizes("/ws/chat", "/ws/chat"); }
    @Test void trailingSlashKept() { normalizes("/ws/chat/", "/ws/chat/"); }
    @Test void reservedEscapeKept() { normalizes("/ws/a%20b", "/ws/a%20b"); }
    @Test void utf8EscapesKept() { normalizes("/ws/%C3%A9", "/ws/%C3%A9"); }
    @Test void encodedPercentKept() { normalizes("/ws/100%25", "/ws/100%25"); }
    @Test void encodedSemicolonIsAName() { normalizes("/ws/a%3Bb", "/ws/a%3Bb"); }
    @Test void dotsInsideNamesKept() { normalizes("/ws/a..b/...", "/ws/a..b/..."); }
    @Test void upperCaseNotFolded() { normalizes("/WS/Admin", "/WS/Admin"); }

    // --- escapes ---
    @Test void unreservedLetterDecoded() { normalizes("/ws/%61dmin", "/ws/admin"); }
    @Test void unreservedUpperHexDecoded() { normalizes("/ws/adm%69n", "/ws/admin"); }
    @Test void everyLetterEncodedDecoded() { normalizes("/%77%73/%61%64%6D%69%6E", "/ws/admin"); }
    @Test void unreservedPunctuationDecoded() { normalizes("/ws/a%2Db%5Fc%7Ed%2Ee", "/ws/a-b_c~d.e"); }
    @Test void lowerCaseHexUpperCased() { normalizes("/ws/%c3%a9", "/ws/%C3%A9"); }

    // --- dot segments ---
    @Test void dotRemoved() { normalizes("/ws/./admin", "/ws/admin"); }
    @Test void encodedDotRemoved() { normalizes("/ws/%2e/admin", "/ws/admin"); }
    @Test void dotDotRemovesPrevious() { normalizes("/ws/x/../admin", "/ws/admin"); }
    @Test void encodedDotDotRemovesPrevious() { normalizes("/ws/x/%2E%2e/admin", "/ws/admin"); }
    @Test void halfEncodedDotDot() { normalizes("/ws/x/.%2e/admin", "/ws/admin"); }
    @Test void trailingDotKeepsSlash() { normalizes("/ws/admin/.", "/ws/admin/"); }
    @Test void trailingDotDotKeepsSlash() { normalizes("/ws/admin/x/..", "/ws/admin/"); }
    @Test void dotDotToRoot() { normalizes("/ws/..", "/"); }

    // --- parameters and slashes ---
    @Test void parametersRemoved() { normalizes("/ws/admin;p=1/x", "/ws/admin/x"); }
    @Test void parametersOnLastSegmentRemoved() { normalizes("/ws/admin;jsessionid=1", "/ws/admin"); }
    @Test void emptyNameWithParametersRemoved() { normalizes("/ws/;x/admin", "/ws/admin"); }
    @Test void repeatedSlashesMerged() { normalizes("/ws//admin///x", "/ws/admin/x"); }
    @Test void leadingDoubleSlashMerged() { normalizes("//ws/admin", "/ws/admin"); }
    @Test void repeatedSlashesKeptOnRequest() { assertEquals("/ws//admin", PathNormalizer.normalize("/ws//admin", true).path()); }
    @Test void encodedSlashIsNotASeparator() { normalizes("/ws/admin%2Fx", "/ws/admin%2Fx"); }
    @Test void encodedSlashIsReported() { assertTrue(PathNormalizer.normalize("/ws/admin%2fx", false).hasEncodedSlash()); }
    @Test void noEncodedSlashNotReported() { assertTrue(!PathNormalizer.normalize("/ws/admin/x", false).hasEncodedSlash()); }

    // --- refused ---
    @Test void climbAboveRootRefused() { refused("/ws/../../x", "climb above the root"); }
    @Test void encodedClimbAboveRootRefused() { refused("/%2e%2e/x", "climb above the root"); }
    @Test void dotDotWithParameterRefused() { refused("/ws/..;x/admin", "parameters"); }
    @Test void dotWithParameterRefused() { refused("/ws/.;x/admin", "parameters"); }
    @Test void dotDotWithEncodedSemicolonRefused() { refused("/ws/%2e%2e%3b/admin", "parameters"); }
    @Test void dotDotWithEncodedSemicolonAndTextRefused() { refused("/ws/..%3Bx/admin", "parameters"); }
    @Test void doubleEncodedDotRefused() { refused("/ws/%252e%252e/admin", "double-encoded"); }
    @Test void doubleEncodedSlashRefused() { refused("/ws/a%252Fb", "double-encoded"); }
    @Test void doubleEncodedSemicolonRefused() { refused("/ws/admin%253bx", "double-encoded"); }
    @Test void backslashRefused() { refused("/ws\\admin", "backslash"); }
    @Test void encodedBackslashRefused() { refused("/ws%5cadmin", "backslash"); }
    @Test void dotDotNextToEncodedSlashRefused() { refused("/ws/x%2F..%2Fadmin", "encoded slash"); }
    @Test void badEscapeRefused() { refused("/ws/%zz", "invalid percent-encoding"); }
    @Test void truncatedEscapeRefused() { refused("/ws/%2", "invalid percent-encoding"); }
    @Test void refusedPathStillNormalisedForRouting() { assertEquals("/ws/admin/..;x/", PathNormalizer.normalize("/ws/admin/..;x/", false).path()); }

    private static void normalizes(String raw, String expected) {
        PathNormalizer.Result result = PathNormalizer.normalize(raw, false);
        assertNull(result.problem(), raw);
        assertEquals(expected, result.path(), raw);
    }

    private static void refused(String raw, String because) {
        PathNormalizer.Result result = PathNormalizer.normalize(raw, false);
        assertNotNull(result.problem(), raw + " -> " + result.path());
        assertTrue(result.problem().contains(because), result.problem());
    }
}
