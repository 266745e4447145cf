package dev.wsproxy.jetty;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Objects;
import java.util.UUID;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * The server certificate {@link JettyProxyServer} presents for {@code wss://} and {@code h2}: a PKCS#12 keystore
 * or PEM files (a certificate chain and an unencrypted PKCS#8 private key, as written by certbot or
 * {@code openssl pkcs8 -topk8 -nocrypt}). Files are read when the server starts, so a bad file fails
 * {@code start()} with a message naming it. Immutable; thread-safe.
 */
public final class TlsCertificate {

    private final Path keyStore;
    private final String keyStorePassword;
    private final Path certificateChain;
    private final Path privateKey;

    private TlsCertificate(Path keyStore, String keyStorePassword, Path certificateChain, Path privateKey) {
        this.keyStore = keyStore;
        this.keyStorePassword = keyStorePassword;
        this.certificateChain = certificateChain;
        this.privateKey = privateKey;
    }

    /** A PKCS#12 keystore holding one private key entry (its key password equal to the store's). */
    public static TlsCertificate pkcs12(Path keyStore, String password) {
        return new TlsCertificate(Objects.requireNonNull(keyStore, "keyStore"),
                Objects.requireNonNull(password, "password"), null, null);
    }

    /**
     * PEM files: {@code certificateChain} with the server certificate first, {@code privateKey} as
     * {@code -----BEGIN PRIVATE KEY-----} (PKCS#8; RSA, EC or EdDSA).
     */
    public static TlsCertificate pem(Path certificateChain, Path privateKey) {
        return new TlsCertificate(null, null, Objects.requireNonNull(certificateChain, "certificateChain"),
                Objects.requireNonNull(privateKey, "privateKey"));
    }

    /** A Jetty server SSL context factory presenting this certificate. */
    SslContextFactory.Server toSslContextFactory() {
        SslContextFactory.Server ssl = new SslContextFactory.Server();
        if (keyStore != null) {
            if (!Files.isReadable(keyStore)) {
                throw new IllegalArgumentException("keystore '" + keyStore + "' does not exist or is not readable");
            }
            ssl.setKeyStorePath(keyStore.toString());
            ssl.setKeyStoreType("PKCS12");
            ssl.setKeyStorePassword(keyStorePassword);
            return ssl;
        }
        String password = UUID.randomUUID().toString();
        ssl.setKeyStore(pemKeyStore(password));
        ssl.setKeyStorePassword(password);
        return ssl;
    }

    private KeyStore pemKeyStore(String password) {
        try {
            Certificate[] chain;
            try (InputStream in = Files.newInputStream(certificateChain)) {
                chain = CertificateFactory.getInstance("X.509").generateCertificates(in).toArray(new Certificate[0]);
            }
            if (chain.length == 0) {
                throw new IllegalArgumentException("no certificate in '" + certificateChain + "'");
            }
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("server", readPrivateKey(privateKey), password.toCharArray(), chain);
            return store;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot read the PEM certificate '" + certificateChain + "' and key '"
                    + privateKey + "': " + e.getMessage(), e);
        }
    }

    private static PrivateKey readPrivateKey(Path file) throws IOException, GeneralSecurityException {
        String pem = Files.readString(file, StandardCharsets.US_ASCII);
        String begin = "-----BEGIN PRIVATE KEY-----";
        int start = pem.indexOf(begin);
        int end = pem.indexOf("-----END PRIVATE KEY-----");
        if (start < 0 || end < start) {
            throw new IllegalArgumentException("'" + file + "' holds no '" + begin + "' block (convert it with:"
                    + " openssl pkcs8 -topk8 -nocrypt -in key.pem -out key.pkcs8.pem)");
        }
        byte[] der = Base64.getMimeDecoder().decode(pem.substring(start + begin.length(), end));
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        GeneralSecurityException last = null;
        for (String algorithm : new String[] {"RSA", "EC", "Ed25519", "Ed448"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException e) {
                last = e;
            }
        }
        throw new GeneralSecurityException("unsupported private key algorithm in '" + file + "'", last);
    }

    @Override
    public String toString() {
        return keyStore != null ? "PKCS#12 " + keyStore : "PEM " + certificateChain + " + " + privateKey;
    }
}
