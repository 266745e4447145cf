package dev.wsproxy.check;

import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ws-proxy check}: the command line of {@link WebSocketCheck}.
 *
 * <pre>
 * java -jar ws-proxy-check.jar wss://example.com/ws/echo [--idle 75s] [--json] [--timeout 10s]
 *     [--subprotocol chat.v1]... [--header "Authorization: Bearer x"]... [--no-echo]
 * </pre>
 *
 * <p>Prints one ✓/✗ line per step (with the usual cause and fix of a failure), or with {@code --json} one JSON
 * object. Exit status: 0 when every step passed, 1 when one failed, 2 for a usage error.
 */
public final class CheckMain {

    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m)?");

    private CheckMain() {
    }

    /** Runs the check and exits with its status. */
    public static void main(String[] args) {
        System.exit(run(args, new PrintStream(System.out, true, StandardCharsets.UTF_8),
                new PrintStream(System.err, true, StandardCharsets.UTF_8)));
    }

    /** Runs the check, printing to {@code out} (report) and {@code err} (usage errors); returns the exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        WebSocketCheck check = null;
        boolean json = false;
        try {
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                switch (arg) {
                    case "--json" -> json = true;
                    case "--no-echo" -> requireUrl(check).echo(false);
                    case "--idle" -> requireUrl(check).idle(duration(value(args, ++i, arg)));
                    case "--timeout" -> requireUrl(check).timeout(duration(value(args, ++i, arg)));
                    case "--subprotocol" -> requireUrl(check).subprotocol(value(args, ++i, arg));
                    case "--header" -> requireUrl(check).header(value(args, ++i, arg));
                    case "-h", "--help" -> {
                        out.println(usage());
                        return 0;
                    }
                    default -> {
                        if (arg.startsWith("--") || check != null) {
                            throw new IllegalArgumentException("unknown argument '" + arg + "'");
                        }
                        check = new WebSocketCheck(URI.create(arg));
                    }
                }
            }
            if (check == null) {
                throw new IllegalArgumentException("no URL given");
            }
        } catch (IllegalArgumentException e) {
            err.println("ws-proxy check: " + e.getMessage());
            err.println(usage());
            return 2;
        }
        CheckReport report = check.run();
        out.print(json ? report.toJson() + "\n" : report.toText());
        return report.ok() ? 0 : 1;
    }

    private static WebSocketCheck requireUrl(WebSocketCheck check) {
        if (check == null) {
            throw new IllegalArgumentException("put the URL first, then the options");
        }
        return check;
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    static Duration duration(String text) {
        Matcher m = DURATION.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a duration (use e.g. 75s, 500ms or 2m)");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        return unit.equals("ms") ? Duration.ofMillis(n) : unit.equals("m") ? Duration.ofMinutes(n)
                : Duration.ofSeconds(n);
    }

    private static String usage() {
        return "usage: java -jar ws-proxy-check.jar ws[s]://host[:port]/path [--idle 75s] [--json] [--timeout 10s]"
                + " [--subprotocol name]... [--header \"Name: value\"]... [--no-echo]";
    }
}
