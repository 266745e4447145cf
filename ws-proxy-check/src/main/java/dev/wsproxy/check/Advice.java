package dev.wsproxy.check;

/** The usual cause of an upgrade answer that is not 101, and what to change. Stateless. */
final class Advice {

    private Advice() {
    }

    static String forStatus(int status, RawConnection.Response response) {
        String server = response.header("Server");
        String via = server == null ? "" : " (the answer came from '" + server + "')";
        switch (status) {
            case 400:
                return "the server did not see a WebSocket handshake: usually a proxy in between dropped the Upgrade"
                        + " and Connection headers (nginx: proxy_http_version 1.1; proxy_set_header Upgrade"
                        + " $http_upgrade; proxy_set_header Connection \"upgrade\"), or the path is not a WebSocket"
                        + " endpoint" + via;
            case 426:
                return "the server wants a WebSocket upgrade it did not get: a proxy in between dropped the Upgrade/"
                        + "Connection headers or spoke HTTP/1.0 to it (nginx: proxy_http_version 1.1 and the Upgrade"
                        + " headers)" + via;
            case 401:
                return "authentication required: send the credentials the application expects (cookie, Authorization"
                        + " or a token in the query; see WWW-Authenticate: " + response.header("WWW-Authenticate")
                        + ")";
            case 403:
                return "forbidden: often an Origin the server does not allow (add it to the allowed origins), or a"
                        + " proxy's Host rewrite failing the server's same-origin check" + via;
            case 404:
                return "nothing handles this path: check the URL's path, the proxy's location/route, and that the"
                        + " WebSocket endpoint is deployed" + via;
            case 405:
                return "the method was refused: the path is served by something that is not a WebSocket endpoint";
            case 502:
                return "the proxy could not reach its backend or got a bad answer: is the backend up, and does the"
                        + " proxy's upstream address point to it?" + via;
            case 503:
                return "the server or proxy is overloaded, shutting down or over a connection limit (see Retry-After: "
                        + response.header("Retry-After") + ")" + via;
            case 504:
                return "the proxy timed out waiting for its backend: is the backend slow to accept, or unreachable"
                        + " from the proxy?" + via;
            case 200:
                return "answered as plain HTTP: the path is not a WebSocket endpoint, or a proxy in between does not"
                        + " pass upgrades (nginx needs the Upgrade headers set explicitly)" + via;
            default:
                if (status >= 300 && status < 400) {
                    return "redirected to " + response.header("Location") + ": connect to that URL (ws:// vs wss://,"
                            + " a trailing slash)";
                }
                return "the server refused the upgrade" + via;
        }
    }
}
