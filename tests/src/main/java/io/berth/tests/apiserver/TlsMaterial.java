package io.berth.tests.apiserver;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;

/**
 * A self-signed serving certificate for 127.0.0.1/localhost, made with the JDK's keytool (EC P-256,
 * valid 2 days, CA:true so clients can pin it as their certificate authority).
 */
public final class TlsMaterial {
  private static final char[] PASSWORD = "berth-test".toCharArray();

  private final KeyStore keyStore;
  private final String certificatePem;

  private TlsMaterial(KeyStore keyStore, String certificatePem) {
    this.keyStore = keyStore;
    this.certificatePem = certificatePem;
  }

  /** Generates a new key pair and certificate in a temporary directory (deleted afterwards). */
  public static TlsMaterial generate() throws IOException, GeneralSecurityException {
    Path dir = Files.createTempDirectory("berth-apiserver-tls");
    Path store = dir.resolve("server.p12");
    try {
      String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
      run(
          List.of(
              keytool,
              "-genkeypair",
              "-alias",
              "apiserver",
              "-keyalg",
              "EC",
              "-groupname",
              "secp256r1",
              "-dname",
              "CN=berth-test-apiserver",
              "-validity",
              "2",
              "-ext",
              "san=ip:127.0.0.1,dns:localhost",
              "-ext",
              "bc:c=ca:true",
              "-ext",
              "ku:c=digitalSignature,keyCertSign",
              "-ext",
              "eku=serverAuth",
              "-storetype",
              "PKCS12",
              "-keystore",
              store.toString(),
              "-storepass",
              new String(PASSWORD),
              "-keypass",
              new String(PASSWORD)));
      KeyStore ks = KeyStore.getInstance("PKCS12");
      try (InputStream in = Files.newInputStream(store)) {
        ks.load(in, PASSWORD);
      }
      Certificate cert = ks.getCertificate("apiserver");
      String pem =
          "-----BEGIN CERTIFICATE-----\n"
              + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(cert.getEncoded())
              + "\n-----END CERTIFICATE-----\n";
      return new TlsMaterial(ks, pem);
    } finally {
      Files.deleteIfExists(store);
      Files.deleteIfExists(dir);
    }
  }

  /** The certificate in PEM, for a kubeconfig's certificate-authority-data. */
  public String certificatePem() {
    return certificatePem;
  }

  KeyManagerFactory keyManagers() throws GeneralSecurityException {
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keyStore, PASSWORD);
    return kmf;
  }

  private static void run(List<String> command) throws IOException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    try {
      if (p.waitFor() != 0) {
        throw new IOException("keytool failed (" + p.exitValue() + "): " + out);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted waiting for keytool", e);
    }
  }
}
