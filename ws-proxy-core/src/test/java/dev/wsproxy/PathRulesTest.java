package dev.wsproxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wsproxy.internal.PathNormalizer;
import java.net.URI;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The path rules as a table of one-liners: which route a raw request path takes (after normalisation, see
 * {@code PathNormalizerTest}), the upstream URI it becomes, and which paths are refused before any upstream
 * is contacted. No sockets except for the refusal cases, which never get as far as connecting.
 */
class PathRulesTest {

    private static final String B = "ws://b:1";

    /** Upstream 127.0.0.1:1 refuses at once, so a path that is not refused fails fast with 502. */
    private static WebSocketProxy proxy;

    @BeforeAll
    static void startProxy() {
        proxy = WebSocketProxy.builder()
                .route(ProxyRoute.prefix("/ws/").upstream("ws://127.0.0.1:1/").build())
                .route(ProxyRoute.regex("^/re/([^/]*)-([^/]*)$").upstream("ws://127.0.0.1:1/base/$1$2/x").build())
                .route(ProxyRoute.prefix("/open/").upstream("ws://127.0.0.1:1/").allowEncodedSlash(true).build())
                .route(ProxyRoute.prefix("/keep/a/").upstream("ws://127.0.0.1:1/").keepRepeatedSlashes(true).build())
                .build();
    }

    @AfterAll
    static void closeProxy() {
        proxy.close();
    }

    // --- prefix routes (nginx proxy_pass semantics) ---
    @Test void prefixIsStripped() { rewrites(ProxyRoute.prefix("/ws/"), B + "/", "/ws/chat", B + "/chat"); }
    @Test void prefixIsReplacedByUpstreamPath() { rewrites(ProxyRoute.prefix("/ws/"), B + "/api/", "/ws/chat", B + "/api/chat"); }
    @Test void upstreamWithoutPathGetsWholePath() { rewrites(ProxyRoute.prefix("/ws/"), B, "/ws/chat", B + "/ws/chat"); }
    @Test void prefixItselfGoesToUpstreamRoot() { rewrites(ProxyRoute.prefix("/ws/"), B + "/", "/ws/", B + "/"); }
    @Test void prefixWithoutSlashEndsAtASegment() { noMatch(ProxyRoute.prefix("/ws"), B + "/x", "/wsabc"); }
    @Test void prefixWithoutSlashTakesPathsUnderIt() { rewrites(ProxyRoute.prefix("/ws"), B + "/", "/ws/echo", B + "/echo"); }
    @Test void prefixWithoutSlashTakesItself() { rewrites(ProxyRoute.prefix("/ws"), B + "/", "/ws", B + "/"); }
    @Test void prefixWithoutSlashJoinsUpstreamPath() { rewrites(ProxyRoute.prefix("/ws"), B + "/x", "/ws/echo", B + "/x/echo"); }
    @Test void prefixWithoutSlashKeepsWholePath() { rewrites(ProxyRoute.prefix("/ws"), B, "/ws/echo", B + "/ws/echo"); }
    @Test void prefixDoesNotMatchShorterPath() { noMatch(ProxyRoute.prefix("/ws/"), B + "/", "/ws"); }
    @Test void prefixIsCaseSensitive() { noMatch(ProxyRoute.prefix("/ws/"), B + "/", "/WS/chat"); }
    @Test void rootPrefixProxiesEverything() { rewrites(ProxyRoute.prefix("/"), B + "/", "/a/b", B + "/a/b"); }
    @Test void prefixToDeepUpstreamPath() { rewrites(ProxyRoute.prefix("/ws/chat/"), B + "/v2/rooms/", "/ws/chat/1", B + "/v2/rooms/1"); }

    // --- the query is forwarded untouched; the path normalised and re-encoded ---
    @Test void queryKept() { rewrites(ProxyRoute.prefix("/ws/"), B + "/", "/ws/chat?room=1&x=2", B + "/chat?room=1&x=2"); }
    @Test void queryEncodingKept() { rewrites(ProxyRoute.prefix("/ws/"), B + "/", "/ws/c?q=a%20b%26c%2F", B + "/c?q=a%20b%26c%2F"); }
    @Test void emptyQueryKept() { rewrites(ProxyRoute.prefix("/ws/"), B + "/", "/ws/c?", B + "/c?"); }
    @Test void encodedSlashKept() { rewrites(ProxyRoute.prefix("/ws/"), B + "/", "/ws/a%2Fb", B + "/a%2Fb"); }
    @Test void escapesAreUpperCased() { rewrites(ProxyRoute.prefix("/ws/"), B + "/", "/ws/a%2fb", B + "/a%2Fb"); }
    @Test void unreservedEscapesAreDecoded() { rewrites(ProxyRoute.prefix("/ws/"), B + "/", "/ws/%61dm%69n", B + "/admin"); }
    @Test void pathParametersAreDropped() { rewrites(ProxyRoute.prefix("/ws/"), B + "/", "/ws/a;p=1/b;q", B + "/a/b"); }
    @Test void repeatedSlashesAreMerged() { rewrites(ProxyRoute.prefix("/ws/"), B + "/", "/ws//a///b", B + "/a/b"); }
    @Test void encodedUtf8Kept() { rewrites(ProxyRoute.prefix("/ws/"), B + "/", "/ws/%C3%A9t%C3%A9", B + "/%C3%A9t%C3%A9"); }
    @Test void encodedSpaceIsNotTurnedIntoPlus() { rewrites(ProxyRoute.prefix("/ws/"), B + "/", "/ws/a%20b", B + "/a%20b"); }
    @Test void plusKept() { rewrites(ProxyRoute.prefix("/ws/"), B + "/", "/ws/a+b", B + "/a+b"); }
    @Test void encodedPercentKept() { rewrites(ProxyRoute.prefix("/ws/"), B + "/", "/ws/100%25", B + "/100%25"); }
    @Test void singleDotSegmentIsRemoved() { rewrites(ProxyRoute.prefix("/ws/"), B + "/", "/ws/./x", B + "/x"); }
    @Test void dotDotSegmentIsResolved() { rewrites(ProxyRoute.prefix("/ws/"), B + "/", "/ws/a/../x", B + "/x"); }
    @Test void rawSpaceIsEscaped() { rewrites(ProxyRoute.prefix("/ws/"), B + "/", "/ws/a b", B + "/a%20b"); }
    @Test void rawUnicodeIsEscapedAsUtf8() { rewrites(ProxyRoute.prefix("/ws/"), B + "/", "/ws/é", B + "/%C3%A9"); }
    @Test void illegalQueryCharacterIsEscaped() { rewrites(ProxyRoute.prefix("/ws/"), B + "/", "/ws/c?q=a|b", B + "/c?q=a%7Cb"); }

    // --- exact routes ---
    @Test void exactGoesToUpstreamPath() { rewrites(ProxyRoute.exact("/ws/echo"), B + "/echo", "/ws/echo", B + "/echo"); }
    @Test void exactDoesNotMatchSubpath() { noMatch(ProxyRoute.exact("/ws/echo"), B + "/echo", "/ws/echo/x"); }
    @Test void exactWithoutUpstreamPathKeepsPath() { rewrites(ProxyRoute.exact("/ws/echo"), B, "/ws/echo", B + "/ws/echo"); }
    @Test void exactKeepsQuery() { rewrites(ProxyRoute.exact("/ws/echo"), B + "/e", "/ws/echo?a=1", B + "/e?a=1"); }

    // --- regex routes ---
    @Test void regexCaptureFillsUpstreamPath() { rewrites(ProxyRoute.regex("^/ws/(.*)$"), B + "/$1", "/ws/chat/room", B + "/chat/room"); }
    @Test void regexCapturesCanBeReordered() { rewrites(ProxyRoute.regex("^/ws/([^/]+)/([^/]+)$"), B + "/$2/$1", "/ws/a/b", B + "/b/a"); }
    @Test void regexUnmatchedGroupIsEmpty() { rewrites(ProxyRoute.regex("^/ws/(a/)?(.*)$"), B + "/$1$2", "/ws/x", B + "/x"); }
    @Test void regexMustMatchWholePath() { noMatch(ProxyRoute.regex("/ws/\\d+"), B + "/", "/ws/12x"); }
    @Test void regexWithoutUpstreamPathKeepsPath() { rewrites(ProxyRoute.regex("^/ws/.*$"), B, "/ws/a", B + "/ws/a"); }
    @Test void regexKeepsQuery() { rewrites(ProxyRoute.regex("^/ws/(.*)$"), B + "/$1", "/ws/a?b=c", B + "/a?b=c"); }
    @Test void regexCaptureKeepsEncoding() { rewrites(ProxyRoute.regex("^/ws/(.*)$"), B + "/$1", "/ws/a%2Fb", B + "/a%2Fb"); }
    @Test void regexCaptureCannotChangeAuthority() { staysOnB(ProxyRoute.regex("^/ws/(.*)$"), "/ws/@evil:2/x"); }
    @Test void regexCaptureWithDoubleSlashStaysInPath() { staysOnB(ProxyRoute.regex("^/ws/(.*)$"), "/ws//evil:2/x"); }
    @Test void captureInUpstreamHostIsRejectedAtBuild() { buildFails(ProxyRoute.regex("^/(.*)$").upstream("ws://$1.internal:80/"), "capture groups fill only the path"); }
    @Test void captureInUpstreamPortIsRejectedAtBuild() { buildFails(ProxyRoute.regex("^/(\\d+)$").upstream("ws://b:$1/"), "capture groups fill only the path"); }

    // --- which route wins ---
    @Test void longestPrefixWins() { routesTo(proxy(ProxyRoute.prefix("/ws/").upstream("ws://short:1/"), ProxyRoute.prefix("/ws/chat/").upstream("ws://long:1/")), "/ws/chat/x", "ws://long:1/x"); }
    @Test void exactBeatsPrefix() { routesTo(proxy(ProxyRoute.prefix("/ws/").upstream("ws://p:1/"), ProxyRoute.exact("/ws/echo").upstream("ws://e:1/echo")), "/ws/echo", "ws://e:1/echo"); }
    @Test void prefixBeatsRegex() { routesTo(proxy(ProxyRoute.regex("^/ws/.*$").upstream("ws://r:1"), ProxyRoute.prefix("/ws/").upstream("ws://p:1/")), "/ws/a", "ws://p:1/a"); }
    @Test void regexesAreTriedInOrder() { routesTo(proxy(ProxyRoute.regex("^/a.*$").upstream("ws://first:1"), ProxyRoute.regex("^/ab$").upstream("ws://second:1")), "/ab", "ws://first:1/ab"); }
    @Test void noRouteIsNotOurs() { assertEquals(HandshakeResult.Action.PASS, proxy.handshake(upgrade("/other/x")).action()); }
    @Test void encodedNameTakesTheLongerPrefix() { routesTo(proxy(ProxyRoute.prefix("/ws/").upstream("ws://open:1/"), ProxyRoute.prefix("/ws/admin/").upstream("ws://admin:1/")), "/ws/%61dmin/x", "ws://admin:1/x"); }
    @Test void dotSegmentTakesTheLongerPrefix() { routesTo(proxy(ProxyRoute.prefix("/ws/").upstream("ws://open:1/"), ProxyRoute.prefix("/ws/admin/").upstream("ws://admin:1/")), "/ws/./admin/x", "ws://admin:1/x"); }
    @Test void parameterTakesTheLongerPrefix() { routesTo(proxy(ProxyRoute.prefix("/ws/").upstream("ws://open:1/"), ProxyRoute.prefix("/ws/admin/").upstream("ws://admin:1/")), "/ws/admin;p=1/x", "ws://admin:1/x"); }
    @Test void doubleSlashTakesTheLongerPrefix() { routesTo(proxy(ProxyRoute.prefix("/ws/").upstream("ws://open:1/"), ProxyRoute.prefix("/ws/admin/").upstream("ws://admin:1/")), "/ws//admin/x", "ws://admin:1/x"); }
    @Test void pathWithoutTheSlashTakesTheSlashedPrefix() { routesTo(proxy(ProxyRoute.prefix("/ws/").upstream("ws://open:1/"), ProxyRoute.prefix("/ws/admin/").upstream("ws://admin:1/a/")), "/ws/admin", "ws://admin:1/a"); }
    @Test void exactLengthPrefixBeatsTheSlashedOne() { routesTo(proxy(ProxyRoute.prefix("/ws/admin").upstream("ws://bare:1/"), ProxyRoute.prefix("/ws/admin/").upstream("ws://admin:1/")), "/ws/admin", "ws://bare:1/"); }
    @Test void slashedPrefixStillWinsBelowIt() { routesTo(proxy(ProxyRoute.prefix("/ws/admin").upstream("ws://bare:1/"), ProxyRoute.prefix("/ws/admin/").upstream("ws://admin:1/")), "/ws/admin/x", "ws://admin:1/x"); }
    @Test void rootPrefixDoesNotTakeTheEmptyPath() { routesTo(proxy(ProxyRoute.prefix("/").upstream("ws://root:1/")), "/", "ws://root:1/"); }
    @Test void traversalIsResolvedBeforeRouting() { assertEquals(HandshakeResult.Action.PASS, proxy.handshake(upgrade("/ws/../admin")).action()); }
    @Test void encodedTraversalIsResolvedBeforeRouting() { assertEquals(HandshakeResult.Action.PASS, proxy.handshake(upgrade("/ws/%2e%2E/admin")).action()); }

    // --- refused with 400 before the upstream is contacted ---
    @Test void traversalAboveRootRefused() { refused("/ws/a/../../../ws/x"); }
    @Test void traversalBeforeEncodedSlashRefused() { refused("/ws/..%2fadmin"); }
    @Test void fullyEncodedTraversalRefused() { refused("/ws/a%2f%2e%2e%2f%2e%2e%2fadmin"); }
    @Test void traversalBeforeEncodedBackslashRefused() { refused("/ws/..%5cadmin"); }
    @Test void rawBackslashRefused() { refused("/ws/a\\admin"); }
    @Test void traversalWithPathParameterRefused() { refused("/ws/..;x=1/admin"); }
    @Test void traversalWithEncodedSemicolonRefused() { refused("/ws/%2e%2e%3b/admin"); }
    @Test void dotWithPathParameterRefused() { refused("/ws/.;x/admin"); }
    @Test void doubleEncodedDotsRefused() { refused("/ws/%252e%252e/admin"); }
    @Test void doubleEncodedSlashRefused() { refused("/ws/a%252fadmin"); }
    @Test void encodedSlashRefusedByDefault() { refused("/ws/admin%2Fx"); }
    @Test void encodedSlashAllowedBySetting() { notRefused("/open/admin%2Fx"); }
    @Test void repeatedSlashesKeptBySetting() { notRefused("/keep/a/b//c"); }
    @Test void repeatedSlashesThatDecideTheRouteRefusedWhenKept() { refused("/keep//a/x"); }
    @Test void traversalAssembledByRegexTemplateRefused() { refused("/re/.-."); }
    @Test void invalidPercentEncodingRefused() { refused("/ws/%zz"); }
    @Test void truncatedPercentEncodingRefused() { refused("/ws/a%2"); }
    @Test void dotsInsideNamesAreNotTraversal() { notRefused("/ws/a..b/...x/..."); }

    private static void rewrites(ProxyRoute.Builder route, String upstream, String request, String expected) {
        assertEquals(expected, rewrite(route.upstream(upstream).build(), request));
    }

    private static void noMatch(ProxyRoute.Builder route, String upstream, String request) {
        assertNull(rewrite(route.upstream(upstream).build(), request));
    }

    private static void staysOnB(ProxyRoute.Builder route, String request) {
        URI target = URI.create(rewrite(route.upstream(B + "/$1").build(), request));
        assertEquals("b", target.getHost(), target.toString());
        assertEquals(1, target.getPort(), target.toString());
    }

    private static void buildFails(ProxyRoute.Builder route, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, route::build);
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    private static String rewrite(ProxyRoute route, String request) {
        int q = request.indexOf('?');
        String path = PathNormalizer.normalize(q < 0 ? request : request.substring(0, q), false).path();
        return route.rewrite(path, q < 0 ? null : request.substring(q + 1));
    }

    private static void routesTo(WebSocketProxy proxy, String request, String expected) {
        try (proxy) {
            assertEquals(expected, proxy.route(PathNormalizer.normalize(request, false).path(), null).getValue());
        }
    }

    private static WebSocketProxy proxy(ProxyRoute.Builder... routes) {
        WebSocketProxy.Builder b = WebSocketProxy.builder();
        for (ProxyRoute.Builder route : routes) {
            b.route(route.build());
        }
        return b.build();
    }

    private static void refused(String path) {
        HandshakeResult result = proxy.handshake(upgrade(path));
        assertEquals(400, result.status(), result.toString());
    }

    private static void notRefused(String path) {
        HandshakeResult result = proxy.handshake(upgrade(path));
        assertNotEquals(400, result.status(), result.toString());
    }

    static HandshakeRequest upgrade(String path) {
        return HandshakeRequest.builder().method("GET").path(path).host("proxy").port(80)
                .remoteAddress("127.0.0.1").addHeader("Host", "proxy")
                .addHeader("Upgrade", "websocket").addHeader("Connection", "Upgrade")
                .addHeader("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
                .addHeader("Sec-WebSocket-Version", "13").build();
    }
}
