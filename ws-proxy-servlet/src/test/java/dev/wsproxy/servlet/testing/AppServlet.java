package dev.wsproxy.servlet.testing;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The application's own servlet in container tests: answers every request with 200 and
 * {@code app servlet <request URI>}, so a test can tell that a request reached the app and not the proxy.
 * Stateless; thread-safe.
 */
public final class AppServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    /** The body prefix this servlet answers with. */
    public static final String BODY_PREFIX = "app servlet ";

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        byte[] body = (BODY_PREFIX + request.getRequestURI()).getBytes(StandardCharsets.UTF_8);
        response.setStatus(200);
        response.setContentType("text/plain;charset=utf-8");
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }
}
