package dev.wsproxy.jetty.internal;

import java.lang.reflect.Field;
import org.eclipse.jetty.ee10.websocket.jakarta.common.JakartaWebSocketContainer;
import org.eclipse.jetty.websocket.core.Configuration;

/**
 * Jetty's Jakarta containers keep their core session defaults (input buffer, frame size) in a protected field
 * with no public setter; this is the one place that reaches it. Stateless; thread-safe.
 */
public final class JettyContainerDefaults {

    private JettyContainerDefaults() {
    }

    /** The container's defaults customizer, or {@code null} when a Jetty release renamed the field. */
    public static Configuration.ConfigurationCustomizer customizer(JakartaWebSocketContainer container) {
        try {
            Field field = JakartaWebSocketContainer.class.getDeclaredField("defaultCustomizer");
            field.setAccessible(true);
            return (Configuration.ConfigurationCustomizer) field.get(container);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }
}
