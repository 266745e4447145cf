package dev.wsproxy.check;

import java.net.InetAddress;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * TLS for the check: the handshake accepts any certificate so the chain can be shown, and the chain is then judged
 * step by step (expiry, host name, trust by the JDK's default trust store), each a step of its own with its fix.
 * A real client would stop at the first problem; the check reports them all. Stateless apart from the chain.
 */
final class TlsInspection {

    private volatile X509Certificate[] chain;
    private volatile String authType;

    /** An SSL context whose trust manager records the server's chain and accepts it. */
    SSLContext recordingContext() throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] certificates, String type) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] certificates, String type) {
                chain = certificates;
                authType = type;
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, null);
        return context;
    }

    void judge(CheckReport report, String host, long started) {
        X509Certificate[] certificates = chain;
        if (certificates == null || certificates.length == 0) {
            report.fail("certificate-trust", "the server sent no certificate", "configure a certificate on the"
                    + " server's TLS listener", started);
            return;
        }
        X509Certificate leaf = certificates[0];
        Instant now = Instant.now();
        Instant notAfter = leaf.getNotAfter().toInstant();
        Instant notBefore = leaf.getNotBefore().toInstant();
        String subject = leaf.getSubjectX500Principal().getName();
        if (now.isAfter(notAfter)) {
            report.fail("certificate-expiry", "certificate " + subject + " expired on " + notAfter, "renew the"
                    + " certificate (e.g. certbot renew) and reload the server", started);
        } else if (now.isBefore(notBefore)) {
            report.fail("certificate-expiry", "certificate " + subject + " is not valid before " + notBefore,
                    "check the server's clock, or issue a certificate valid now", started);
        } else {
            long days = java.time.Duration.between(now, notAfter).toDays();
            report.pass("certificate-expiry", "valid until " + notAfter + " (" + days + " days)", started);
        }
        List<String> names = names(leaf);
        if (matches(host, names)) {
            report.pass("certificate-name", "'" + host + "' matches " + names, started);
        } else {
            report.fail("certificate-name", "'" + host + "' is not among the certificate's names " + names,
                    "use a certificate whose subjectAltName lists " + host + ", or connect by one of its names",
                    started);
        }
        try {
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init((KeyStore) null);
            for (TrustManager manager : factory.getTrustManagers()) {
                if (manager instanceof X509TrustManager) {
                    ((X509TrustManager) manager).checkServerTrusted(certificates, authType);
                }
            }
            report.pass("certificate-trust", "issued by " + certificates[certificates.length - 1]
                    .getIssuerX500Principal().getName() + ", trusted by this JVM", started);
        } catch (CertificateException e) {
            boolean selfSigned = certificates.length == 1
                    && leaf.getIssuerX500Principal().equals(leaf.getSubjectX500Principal());
            report.fail("certificate-trust", (selfSigned ? "self-signed certificate " : "certificate chain of ")
                    + subject + " is not trusted: " + rootMessage(e), selfSigned
                    ? "use a certificate from a public CA, or add this one to the clients' trust store"
                    : "send the intermediate certificates too (fullchain.pem, not cert.pem), or use a trusted CA",
                    started);
        } catch (Exception e) {
            report.fail("certificate-trust", "could not check trust: " + e, "check this JVM's trust store", started);
        }
    }

    private static String rootMessage(Throwable e) {
        while (e.getCause() != null) {
            e = e.getCause();
        }
        return e.getMessage();
    }

    private static List<String> names(X509Certificate certificate) {
        List<String> names = new ArrayList<>();
        try {
            Collection<List<?>> alternatives = certificate.getSubjectAlternativeNames();
            if (alternatives != null) {
                for (List<?> entry : alternatives) {
                    int type = (Integer) entry.get(0);
                    if (type == 2 || type == 7) { // dNSName, iPAddress
                        names.add(String.valueOf(entry.get(1)));
                    }
                }
            }
        } catch (CertificateParsingException e) {
            // no names then
        }
        return names;
    }

    private static boolean matches(String host, List<String> names) {
        String h = host.toLowerCase(Locale.ROOT);
        for (String name : names) {
            String n = name.toLowerCase(Locale.ROOT);
            if (n.equals(h) || sameAddress(h, n)) {
                return true;
            }
            if (n.startsWith("*.") && h.indexOf('.') > 0 && h.substring(h.indexOf('.')).equals(n.substring(1))) {
                return true;
            }
        }
        return false;
    }

    private static boolean isLiteral(String s) {
        return !s.isEmpty() && (s.indexOf(':') >= 0 || s.chars().allMatch(c -> Character.isDigit(c) || c == '.'));
    }

    private static boolean sameAddress(String host, String name) {
        if (!isLiteral(host) || !isLiteral(name)) {
            return false; // a DNS name never matches an iPAddress entry
        }
        try {
            return InetAddress.getByName(host).equals(InetAddress.getByName(name));
        } catch (Exception e) {
            return false;
        }
    }
}
