package dev.wsproxy.servlet.internal;

/**
 * Whether a request can be upgraded with {@link TomcatTunnelHandler}. Kept apart from it, with no Tomcat types,
 * so that asking does not load Tomcat's classes where they are absent. Not an API; stateless.
 */
public final class TomcatUpgrade {

    private static final boolean TOMCAT_API = loadable();

    private TomcatUpgrade() {
    }

    /**
     * Whether {@code serverInfo} (the servlet context's) names Tomcat and Tomcat's internal upgrade API is
     * visible to this class (one class path can hold several containers' classes, as in tests).
     */
    public static boolean applies(String serverInfo) {
        return TOMCAT_API && serverInfo != null && serverInfo.startsWith("Apache Tomcat/");
    }

    private static boolean loadable() {
        try {
            Class.forName("org.apache.coyote.http11.upgrade.InternalHttpUpgradeHandler", false,
                    TomcatUpgrade.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }
}
