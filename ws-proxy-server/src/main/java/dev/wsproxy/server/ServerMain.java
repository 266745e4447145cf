package dev.wsproxy.server;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The standalone ws-proxy server:
 *
 * <pre>
 * java -jar ws-proxy-server.jar --config proxy.properties          # run
 * java -jar ws-proxy-server.jar --config proxy.properties --check-config   # validate only
 * </pre>
 *
 * <p>The file is {@link ServerConfig}'s format. Every error in it is printed as {@code file:line: message} and the
 * process exits with 2 without starting. Once running, SIGTERM or SIGINT drains: new handshakes get 503, every
 * connection gets 1001 "proxy shutting down" and up to {@code drain-timeout} (default 10 s) to close, then the
 * JVM exits with its usual code for the signal (143 for SIGTERM, 130 for SIGINT). Exit codes: 0 success
 * ({@code --check-config}), 1 the server could not start, 2 a usage or configuration error.
 */
public final class ServerMain {

    static final int OK = 0;
    static final int START_FAILED = 1;
    static final int BAD_CONFIG = 2;

    private static final String USAGE = "usage: java -jar ws-proxy-server.jar --config <proxy.properties>"
            + " [--check-config]";

    private ServerMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        Started started = start(args, System.out, System.err);
        if (started.server == null) {
            System.exit(started.exitCode);
        }
        StandaloneServer server = started.server;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log().info("shutting down: draining connections (clients get 1001)");
            server.close();
            log().info("stopped");
        }, "ws-proxy-shutdown"));
        server.join();
    }

    /** What {@link #start} did: a running server, or the exit code to end with. */
    static final class Started {
        final StandaloneServer server;
        final int exitCode;

        Started(StandaloneServer server, int exitCode) {
            this.server = server;
            this.exitCode = exitCode;
        }
    }

    /** Parses the arguments, validates the file, and starts the server unless only checking. */
    static Started start(String[] args, PrintStream out, PrintStream err) {
        String config = null;
        boolean checkOnly = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--check-config")) {
                checkOnly = true;
            } else if (arg.equals("--config") && i + 1 < args.length) {
                config = args[++i];
            } else if (arg.startsWith("--config=")) {
                config = arg.substring("--config=".length());
            } else if (arg.equals("--help") || arg.equals("-h")) {
                out.println(USAGE);
                return new Started(null, OK);
            } else {
                err.println("unknown argument '" + arg + "'\n" + USAGE);
                return new Started(null, BAD_CONFIG);
            }
        }
        if (config == null) {
            err.println("--config is missing\n" + USAGE);
            return new Started(null, BAD_CONFIG);
        }
        ServerConfig parsed;
        try {
            parsed = ServerConfig.load(Path.of(config));
        } catch (ConfigException e) {
            e.lines().forEach(err::println);
            err.println(e.problems().size() + " error(s) in " + config + "; nothing started");
            return new Started(null, BAD_CONFIG);
        } catch (IOException e) {
            err.println(config + ": cannot read (" + e + ")");
            return new Started(null, BAD_CONFIG);
        }
        if (checkOnly) {
            out.println(config + ": OK (" + describe(parsed) + ")");
            return new Started(null, OK);
        }
        if (parsed.logLevel != null) {
            // slf4j-simple reads a logger's level when the logger is created: this precedes every dev.wsproxy logger
            System.setProperty("org.slf4j.simpleLogger.log.dev.wsproxy", parsed.logLevel);
        }
        try {
            StandaloneServer server = StandaloneServer.start(parsed, config);
            log().info("ws-proxy-server listening on {} ({})", listening(server), describe(parsed));
            return new Started(server, OK);
        } catch (RuntimeException e) {
            log().error("could not start: {}", e.getMessage(), e);
            return new Started(null, START_FAILED);
        }
    }

    private static String listening(StandaloneServer server) {
        String http = server.httpPort() > 0 ? "http port " + server.httpPort() : "";
        String https = server.httpsPort() > 0 ? "https port " + server.httpsPort() : "";
        return (http + (http.isEmpty() || https.isEmpty() ? "" : ", ") + https) + ", " + server.uri();
    }

    private static String describe(ServerConfig config) {
        String routes = config.proxyProperties.getProperty("routes").trim();
        return "routes: " + routes + (config.http == null ? "" : "; http " + config.http)
                + (config.https == null ? "" : "; https " + config.https) + "; http2 " + config.http2;
    }

    private static Logger log() {
        return LoggerFactory.getLogger(ServerMain.class);
    }
}
