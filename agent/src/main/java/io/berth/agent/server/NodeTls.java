package io.berth.agent.server;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

/**
 * The node API's TLS: TLS 1.3 and 1.2 only, ECDHE with AEAD ciphers only (the suites Go's
 * crypto/tls prefers, which the kubelet uses), the serving certificate from files or a self-signed
 * one kept in {@code certDir} (certificate 0644, key 0600, reused across restarts while valid, as
 * the kubelet's {@code kubelet.crt}/{@code kubelet.key}), and client certificates verified against
 * the client CA bundle when one is configured (requested, not required: token and anonymous
 * requests come without one).
 */
public final class NodeTls {
  static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");
  static final List<String> CIPHERS =
      List.of(
          "TLS_AES_128_GCM_SHA256",
          "TLS_AES_256_GCM_SHA384",
          "TLS_CHACHA20_POLY1305_SHA256",
          "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
          "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
          "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
          "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
          "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
          "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

  private NodeTls() {}

  /** The server context for {@code settings}; makes the self-signed certificate if needed. */
  public static SslContext serverContext(
      NodeServerSettings settings, String nodeName, List<InetAddress> nodeIps, Instant now) {
    Path cert = settings.tlsCertFile();
    Path key = settings.tlsPrivateKeyFile();
    if (cert == null) {
      Path dir = settings.certDir();
      cert = dir.resolve("kubelet.crt");
      key = dir.resolve("kubelet.key");
      ensureSelfSigned(cert, key, nodeName, nodeIps, now);
    }
    Path ca = settings.authentication().clientCaFile();
    try {
      SslContextBuilder b =
          SslContextBuilder.forServer(cert.toFile(), key.toFile())
              .sslProvider(SslProvider.JDK)
              .protocols(PROTOCOLS)
              .ciphers(CIPHERS, SupportedCipherSuiteFilter.INSTANCE);
      if (ca != null) {
        // Requested, not required (tokens and anonymous come without one); a certificate that
        // is sent and fails the check fails the handshake (the JDK's and Go's behaviour alike).
        b.trustManager(ca.toFile()).clientAuth(ClientAuth.OPTIONAL);
      } else {
        b.clientAuth(ClientAuth.NONE);
      }
      return b.build();
    } catch (javax.net.ssl.SSLException | IllegalArgumentException e) {
      throw new NodeApiException.TlsSetup(
          "cannot use serving certificate "
              + cert
              + " with key "
              + key
              + (ca == null ? "" : " and client CA " + ca)
              + ": "
              + e.getMessage(),
          e);
    }
  }

  /** Keeps a valid self-signed certificate at {@code cert}/{@code key}, making one if needed. */
  static void ensureSelfSigned(
      Path cert, Path key, String nodeName, List<InetAddress> ips, Instant now) {
    try {
      if (Files.exists(cert) && Files.exists(key) && validAt(cert, now.plusSeconds(86_400))) {
        return;
      }
      Files.createDirectories(cert.getParent());
      java.util.ArrayList<String> names = new java.util.ArrayList<>(List.of(nodeName));
      if (!names.contains("localhost")) {
        names.add("localhost");
      }
      java.util.ArrayList<InetAddress> addresses = new java.util.ArrayList<>(ips);
      addresses.add(InetAddress.getLoopbackAddress());
      SelfSignedCertificate.Issued issued =
          SelfSignedCertificate.issue(
              nodeName, names, addresses.stream().distinct().toList(), now, 365);
      writeAtomically(
          key, pem("PRIVATE KEY", issued.keys().getPrivate().getEncoded()), "rw-------");
      writeAtomically(cert, pem("CERTIFICATE", issued.certificate().getEncoded()), "rw-r--r--");
    } catch (IOException | GeneralSecurityException e) {
      throw new NodeApiException.TlsSetup(
          "cannot make the self-signed serving certificate " + cert + ": " + e.getMessage(), e);
    }
  }

  private static boolean validAt(Path cert, Instant when) {
    try (var in = Files.newInputStream(cert)) {
      X509Certificate c =
          (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
      c.checkValidity(java.util.Date.from(when));
      return true;
    } catch (IOException | GeneralSecurityException e) {
      return false;
    }
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }

  private static void writeAtomically(Path file, String content, String mode) throws IOException {
    Path tmp =
        Files.createTempFile(
            file.getParent(),
            "." + file.getFileName(),
            ".tmp",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(mode)));
    try {
      Files.writeString(tmp, content);
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
