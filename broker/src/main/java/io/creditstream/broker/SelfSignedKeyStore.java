package io.creditstream.broker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away TLS identity for the embedded broker on 127.0.0.1: a PKCS12 key store with a
 * self-signed RSA certificate (subject alternative names IP 127.0.0.1 and localhost, so host name
 * verification passes) and a PKCS12 trust store holding that certificate. Made with the JDK's own
 * {@code keytool}, in a directory the caller owns; nothing is checked in.
 *
 * @param keyStore the broker's key store
 * @param trustStore the clients' trust store
 * @param password the password of both stores and of the key
 */
public record SelfSignedKeyStore(Path keyStore, Path trustStore, String password) {
    private static final String ALIAS = "creditstream-broker";

    /** How long one keytool call may take on a loaded machine; only a hang guard. */
    private static final long KEYTOOL_TIMEOUT_SECONDS = 120;

    /**
     * Creates {@code broker.p12}, {@code broker.pem} and {@code truststore.p12} in {@code dir}.
     *
     * @throws IllegalStateException when keytool fails, with its output
     */
    public static SelfSignedKeyStore create(Path dir, String password) {
        Path keyStore = dir.resolve("broker.p12");
        Path certificate = dir.resolve("broker.pem");
        Path trustStore = dir.resolve("truststore.p12");
        keytool(
                "-genkeypair",
                "-alias",
                ALIAS,
                "-keyalg",
                "RSA",
                "-keysize",
                "2048",
                "-validity",
                "2",
                "-dname",
                "CN=localhost",
                "-ext",
                "SAN=IP:127.0.0.1,DNS:localhost",
                "-storetype",
                "PKCS12",
                "-keystore",
                keyStore.toString(),
                "-storepass",
                password,
                "-keypass",
                password);
        keytool(
                "-exportcert",
                "-rfc",
                "-alias",
                ALIAS,
                "-keystore",
                keyStore.toString(),
                "-storepass",
                password,
                "-file",
                certificate.toString());
        keytool(
                "-importcert",
                "-noprompt",
                "-alias",
                ALIAS,
                "-file",
                certificate.toString(),
                "-storetype",
                "PKCS12",
                "-keystore",
                trustStore.toString(),
                "-storepass",
                password);
        return new SelfSignedKeyStore(keyStore, trustStore, password);
    }

    /** The certificate in PEM, for clients that read PEM (librdkafka's {@code ssl.ca.location}). */
    public Path certificatePem() {
        return keyStore.resolveSibling("broker.pem");
    }

    private static void keytool(String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            process.getOutputStream().close();
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(KEYTOOL_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("keytool " + args[0] + " did not finish");
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException(
                        "keytool "
                                + args[0]
                                + " failed ("
                                + process.exitValue()
                                + "): "
                                + new String(output, StandardCharsets.UTF_8).trim());
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run keytool from " + command.get(0), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running keytool", e);
        }
    }

    /** The paths only: the password is never printed. */
    @Override
    public String toString() {
        return "SelfSignedKeyStore[keyStore=" + keyStore + ", trustStore=" + trustStore + "]";
    }
}
