package dev.wsproxy.internal;

import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes Tyrus's {@code java.util.logging} output into SLF4J at DEBUG, so the upstream client's SEVERE stack
 * traces (a peer that vanished, a refused close code) no longer reach stderr through the JVM's console
 * handler: the proxy reports those events itself, once, tagged with the connection id.
 *
 * <p>Only the {@code org.glassfish.tyrus} logger is touched (its level, its handler, no parent handlers);
 * nothing JVM-wide such as a system property or the root logger. The logger is held here strongly, as JUL
 * keeps loggers only weakly and would otherwise forget the settings. Idempotent and thread-safe.
 */
final class TyrusLogging {

    private static final java.util.logging.Logger TYRUS = java.util.logging.Logger.getLogger("org.glassfish.tyrus");

    private static boolean installed;

    private TyrusLogging() {
    }

    /** Installs the bridge once per class loader. */
    static synchronized void routeToSlf4j() {
        if (installed) {
            return;
        }
        installed = true;
        Logger probe = LoggerFactory.getLogger("org.glassfish.tyrus");
        TYRUS.setLevel(probe.isTraceEnabled() ? Level.FINE : Level.INFO);
        TYRUS.setUseParentHandlers(false);
        TYRUS.addHandler(new Slf4jHandler());
    }

    /** Forwards each record to the SLF4J logger of the same name, at DEBUG (TRACE below INFO). */
    private static final class Slf4jHandler extends Handler {
        @Override
        public void publish(LogRecord record) {
            if (record == null) {
                return;
            }
            Logger target = LoggerFactory.getLogger(record.getLoggerName() == null ? "org.glassfish.tyrus"
                    : record.getLoggerName());
            String message = record.getMessage();
            if (record.getParameters() != null && message != null && message.contains("{0")) {
                message = java.text.MessageFormat.format(message, record.getParameters());
            }
            if (record.getLevel().intValue() >= Level.INFO.intValue()) {
                target.debug("{}", message, record.getThrown());
            } else {
                target.trace("{}", message, record.getThrown());
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }
}
