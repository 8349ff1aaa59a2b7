package io.berth.agent.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeTlsTest {
  @TempDir Path dir;

  @Test
  void selfSignedCertificateIsMadeOnceKeptPrivateAndNamesTheNode() throws Exception {
    Instant now = Instant.parse("2026-11-24T10:00:00Z");
    Path cert = dir.resolve("pki/kubelet.crt");
    Path key = dir.resolve("pki/kubelet.key");
    NodeTls.ensureSelfSigned(cert, key, "node-1", List.of(InetAddress.getByName("10.1.2.3")), now);
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
    X509Certificate c;
    try (InputStream in = Files.newInputStream(cert)) {
      c = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
    assertTrue(c.getSubjectX500Principal().getName().startsWith("CN=node-1@"));
    assertEquals(
        List.of(
            List.of(2, "node-1"),
            List.of(2, "localhost"),
            List.of(7, "10.1.2.3"),
            List.of(7, "127.0.0.1")),
        c.getSubjectAlternativeNames().stream().toList());
    assertEquals(List.of("1.3.6.1.5.5.7.3.1"), c.getExtendedKeyUsage());
    assertEquals(-1, c.getBasicConstraints());
    c.checkValidity(java.util.Date.from(now.plusSeconds(364L * 86_400)));
    String before = Files.readString(cert);
    NodeTls.ensureSelfSigned(cert, key, "node-1", List.of(), now.plusSeconds(86_400));
    assertEquals(before, Files.readString(cert), "a valid certificate is kept across restarts");
    NodeTls.ensureSelfSigned(cert, key, "node-1", List.of(), now.plusSeconds(365L * 86_400));
    assertTrue(!before.equals(Files.readString(cert)), "an expiring one is replaced");
  }

  @Test
  void serverContextOffersOnlyTls12And13() {
    var ctx =
        NodeTls.serverContext(
            NodeServerSettings.on(new java.net.InetSocketAddress(0), dir),
            "n",
            List.of(),
            Instant.now());
    var engine = ctx.newEngine(io.netty.buffer.ByteBufAllocator.DEFAULT);
    assertEquals(
        List.of("TLSv1.2", "TLSv1.3"),
        List.of(engine.getEnabledProtocols()).stream().sorted().toList());
    for (String suite : engine.getEnabledCipherSuites()) {
      assertTrue(suite.contains("GCM") || suite.contains("CHACHA20"), suite);
      assertTrue(
          suite.startsWith("TLS_AES") || suite.startsWith("TLS_CHACHA") || suite.contains("ECDHE"),
          suite);
    }
  }
}
