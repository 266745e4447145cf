package dev.wsproxy.server;

import dev.wsproxy.jetty.TlsCertificate;
import dev.wsproxy.servlet.ProxyProperties;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * The standalone server's configuration file: {@code ProxyProperties}' format (routes and proxy settings) plus
 * the server's own keys:
 *
 * <pre>
 * listen.http = 0.0.0.0:8080            # host:port ([::]:8080 for IPv6); port 0 picks a free one
 * listen.https = 0.0.0.0:8443           # needs tls.certificate-chain + tls.private-key, or tls.pkcs12
 * tls.certificate-chain = fullchain.pem # PEM, server certificate first; paths relative to this file
 * tls.private-key = privkey.pem         # PEM, PKCS#8
 * tls.pkcs12 = server.p12               # instead of the two PEM files
 * tls.pkcs12-password = secret
 * http2 = true                          # h2 (TLS, ALPN) and h2c with RFC 8441 WebSockets; default true
 * redirect-http-to-https = false        # default false; needs both listen keys
 * accept-queue-size = 1024              # listen backlog of each connector; default 1024
 * log-level = info                      # dev.wsproxy's log level: error, warn, info, debug or trace
 * </pre>
 *
 * <p>{@link #load} reports <em>every</em> error with its line, not just the first: each proxy key is checked on
 * its own by {@link ProxyProperties} (so its message is attributed to its line), then each route as a whole,
 * then all routes together. Immutable.
 */
final class ServerConfig {

    static final Set<String> SERVER_KEYS = Set.of("listen.http", "listen.https", "tls.certificate-chain",
            "tls.private-key", "tls.pkcs12", "tls.pkcs12-password", "http2", "redirect-http-to-https", "log-level",
            "accept-queue-size");
    private static final Set<String> LOG_LEVELS = Set.of("error", "warn", "info", "debug", "trace");
    private static final String PLACEHOLDER_UPSTREAM = "ws://127.0.0.1:1/";

    final Properties proxyProperties;
    final InetSocketAddress http;
    final InetSocketAddress https;
    final TlsCertificate certificate;
    final boolean http2;
    final boolean redirectHttpToHttps;
    final String logLevel;
    final int acceptQueueSize;

    private ServerConfig(Properties proxyProperties, InetSocketAddress http, InetSocketAddress https,
                         TlsCertificate certificate, boolean http2, boolean redirect, String logLevel,
                         int acceptQueueSize) {
        this.acceptQueueSize = acceptQueueSize;
        this.proxyProperties = proxyProperties;
        this.http = http;
        this.https = https;
        this.certificate = certificate;
        this.http2 = http2;
        this.redirectHttpToHttps = redirect;
        this.logLevel = logLevel;
    }

    /**
     * Reads and validates {@code file}.
     *
     * @throws ConfigException listing every error with its line
     * @throws IOException when the file cannot be read
     */
    static ServerConfig load(Path file) throws IOException, ConfigException {
        String name = file.toString();
        PropertiesFile properties;
        try {
            properties = PropertiesFile.read(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException(name, List.of(new ConfigProblem(0, "no such file (check the --config path)")));
        }
        Path base = file.toAbsolutePath().getParent();
        Checker check = new Checker(properties.entries(), new ArrayList<>(properties.problems()));
        InetSocketAddress http = check.address("listen.http");
        InetSocketAddress https = check.address("listen.https");
        if (http == null && https == null && !check.has("listen.http") && !check.has("listen.https")) {
            check.problem(0, "no listen address (add listen.http = 0.0.0.0:8080 and/or listen.https = 0.0.0.0:8443)");
        }
        TlsCertificate certificate = check.certificate(base, https != null || check.has("listen.https"));
        boolean http2 = check.bool("http2", true);
        boolean redirect = check.bool("redirect-http-to-https", false);
        if (redirect && (!check.has("listen.http") || !check.has("listen.https"))) {
            check.problem(check.line("redirect-http-to-https"),
                    "redirect-http-to-https = true needs both listen.http and listen.https");
        }
        String backlog = check.value("accept-queue-size");
        int acceptQueueSize = dev.wsproxy.jetty.JettyProxyServer.DEFAULT_ACCEPT_QUEUE_SIZE;
        if (backlog != null) {
            try {
                acceptQueueSize = Integer.parseInt(backlog.trim());
            } catch (NumberFormatException e) {
                acceptQueueSize = -1;
            }
            if (acceptQueueSize < 1) {
                check.problem(check.line("accept-queue-size"), "accept-queue-size must be a positive number but was '"
                        + backlog + "' (the default is " + dev.wsproxy.jetty.JettyProxyServer.DEFAULT_ACCEPT_QUEUE_SIZE
                        + ")");
            }
        }
        String logLevel = check.value("log-level");
        if (logLevel != null && !LOG_LEVELS.contains(logLevel.toLowerCase(Locale.ROOT))) {
            check.problem(check.line("log-level"), "log-level must be one of error, warn, info, debug, trace but was '"
                    + logLevel + "'");
        }
        Properties proxy = new Properties();
        properties.entries().forEach((key, entry) -> {
            if (!SERVER_KEYS.contains(key)) {
                proxy.setProperty(key, entry.value());
            }
        });
        check.proxy(proxy, name);
        if (!check.problems.isEmpty()) {
            check.problems.sort(Comparator.comparingInt(ConfigProblem::line));
            throw new ConfigException(name, check.problems);
        }
        return new ServerConfig(proxy, http, https, certificate, http2, redirect,
                logLevel == null ? null : logLevel.toLowerCase(Locale.ROOT), acceptQueueSize);
    }

    /** Collects problems while reading keys. */
    private static final class Checker {
        private final Map<String, PropertiesFile.Entry> entries;
        private final List<ConfigProblem> problems;

        Checker(Map<String, PropertiesFile.Entry> entries, List<ConfigProblem> problems) {
            this.entries = entries;
            this.problems = problems;
        }

        void problem(int line, String message) {
            problems.add(new ConfigProblem(line, message));
        }

        boolean has(String key) {
            return entries.containsKey(key);
        }

        int line(String key) {
            PropertiesFile.Entry entry = entries.get(key);
            return entry == null ? 0 : entry.line();
        }

        String value(String key) {
            PropertiesFile.Entry entry = entries.get(key);
            return entry == null ? null : entry.value().trim();
        }

        InetSocketAddress address(String key) {
            String text = value(key);
            if (text == null) {
                return null;
            }
            int colon = text.lastIndexOf(':');
            String host = colon <= 0 ? "" : text.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            try {
                int port = Integer.parseInt(text.substring(colon + 1));
                if (!host.isEmpty() && port >= 0 && port <= 65535) {
                    return new InetSocketAddress(host, port);
                }
            } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
                // reported below
            }
            problem(line(key), key + " must be host:port but was '" + text + "' (e.g. 0.0.0.0:8080, [::]:8080,"
                    + " 127.0.0.1:0 for a free port)");
            return null;
        }

        boolean bool(String key, boolean fallback) {
            String text = value(key);
            if (text == null) {
                return fallback;
            }
            if (text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false")) {
                return Boolean.parseBoolean(text);
            }
            problem(line(key), key + " must be true or false but was '" + text + "'");
            return fallback;
        }

        Path readableFile(Path base, String key) {
            String text = value(key);
            if (text == null) {
                return null;
            }
            Path path = base.resolve(text);
            if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
                problem(line(key), key + " '" + text + "' is not a readable file (looked at " + path + ")");
                return null;
            }
            return path;
        }

        TlsCertificate certificate(Path base, boolean needed) {
            boolean pem = has("tls.certificate-chain") || has("tls.private-key");
            boolean pkcs12 = has("tls.pkcs12") || has("tls.pkcs12-password");
            if (!needed) {
                for (String key : List.of("tls.certificate-chain", "tls.private-key", "tls.pkcs12",
                        "tls.pkcs12-password")) {
                    if (has(key)) {
                        problem(line(key), key + " is set but there is no listen.https (add listen.https ="
                                + " 0.0.0.0:8443 or remove the tls.* keys)");
                    }
                }
                return null;
            }
            if (pem == pkcs12) {
                problem(line("listen.https"), "listen.https needs either tls.certificate-chain and tls.private-key"
                        + " (PEM) or tls.pkcs12 and tls.pkcs12-password" + (pem ? ", not both" : ""));
                return null;
            }
            if (pem) {
                Path chain = required(base, "tls.certificate-chain", "tls.private-key");
                Path key = required(base, "tls.private-key", "tls.certificate-chain");
                return chain == null || key == null ? null : TlsCertificate.pem(chain, key);
            }
            Path store = required(base, "tls.pkcs12", "tls.pkcs12-password");
            String password = value("tls.pkcs12-password");
            if (password == null) {
                problem(line("tls.pkcs12"), "tls.pkcs12 needs tls.pkcs12-password");
            }
            return store == null || password == null ? null : TlsCertificate.pkcs12(store, password);
        }

        private Path required(Path base, String key, String partner) {
            if (!has(key)) {
                problem(line(partner), partner + " needs " + key);
                return null;
            }
            return readableFile(base, key);
        }

        /** Checks the proxy keys one by one, then route by route, then together. */
        void proxy(Properties proxy, String file) {
            int before = problems.size();
            List<String> listed = new ArrayList<>();
            if (value("routes") == null) {
                problem(0, "'routes' is missing (list the route names, e.g. routes = chat, then route.chat.prefix ="
                        + " /ws/chat/ and route.chat.upstream = ws://backend:8080/)");
            } else {
                for (String name : value("routes").split(",")) {
                    if (!name.isBlank()) {
                        listed.add(name.trim());
                    }
                }
            }
            Set<String> badRoutes = new java.util.HashSet<>();
            for (String key : proxy.stringPropertyNames()) {
                if (key.equals("routes")) {
                    continue;
                }
                String route = routeOf(key);
                if (route != null && !listed.contains(route)) {
                    problem(line(key), "'" + key + "' belongs to route '" + route + "' which is not listed in"
                            + " 'routes' (add it: routes = " + String.join(", ", listed)
                            + (listed.isEmpty() ? "" : ", ") + route + ")");
                    continue;
                }
                if (!attempt(alone(key, route, proxy.getProperty(key)), file, line(key))) {
                    badRoutes.add(route);
                }
            }
            for (String route : listed) {
                if (!badRoutes.contains(route)) {
                    Properties whole = new Properties();
                    whole.setProperty("routes", route);
                    proxy.stringPropertyNames().stream().filter(k -> route.equals(routeOf(k)))
                            .forEach(k -> whole.setProperty(k, proxy.getProperty(k)));
                    attempt(whole, file, firstLineOf(route));
                }
            }
            if (problems.size() > before) {
                return;
            }
            try {
                ProxyProperties.toProxy(proxy, file).close();
            } catch (IllegalArgumentException e) {
                problem(line("routes"), strip(e.getMessage(), file));
            }
        }

        /** {@code key} with just enough around it to pass everything else, so its own error is the only one. */
        private static Properties alone(String key, String route, String value) {
            Properties alone = new Properties();
            if (route == null) {
                alone.setProperty("routes", "check");
                alone.setProperty("route.check.prefix", "/");
                alone.setProperty("route.check.upstream", PLACEHOLDER_UPSTREAM);
            } else {
                String setting = key.substring(7 + route.length());
                alone.setProperty("routes", route);
                if (!Set.of("prefix", "exact", "regex").contains(setting)) {
                    alone.setProperty("route." + route + ".prefix", "/");
                }
                if (!setting.equals("upstream")) {
                    alone.setProperty("route." + route + ".upstream", PLACEHOLDER_UPSTREAM);
                }
            }
            alone.setProperty(key, value);
            return alone;
        }

        private static String routeOf(String key) {
            int dot = key.startsWith("route.") ? key.indexOf('.', 6) : -1;
            return dot > 6 ? key.substring(6, dot) : null;
        }

        private int firstLineOf(String route) {
            for (PropertiesFile.Entry entry : entries.values()) {
                if (route.equals(routeOf(entry.key()))) {
                    return entry.line();
                }
            }
            return line("routes");
        }

        private boolean attempt(Properties properties, String file, int line) {
            try {
                ProxyProperties.toBuilder(properties, file);
                return true;
            } catch (IllegalArgumentException e) {
                problem(line, strip(e.getMessage(), file));
                return false;
            }
        }

        private static String strip(String message, String file) {
            return message.startsWith(file + ": ") ? message.substring(file.length() + 2) : message;
        }
    }
}
