package io.berth.agent.server;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * A self-signed ECDSA P-256 serving certificate, as the kubelet makes one when no {@code
 * tlsCertFile} is configured: subject {@code CN=<host>@<unix time>}, the node's names and addresses
 * as subject alternative names, key usage for a TLS server only, one year of validity.
 *
 * <p>The JDK has no public API to issue certificates, so the few DER structures of RFC 5280 are
 * written here by hand; the result is parsed back with the JDK's {@link CertificateFactory}, which
 * checks it.
 */
public final class SelfSignedCertificate {
  private static final DateTimeFormatter UTC_TIME =
      DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter GENERALIZED_TIME =
      DateTimeFormatter.ofPattern("yyyyMMddHHmmss'Z'").withZone(ZoneOffset.UTC);
  private static final String ECDSA_SHA256 = "1.2.840.10045.4.3.2";

  private SelfSignedCertificate() {}

  /** The issued certificate with its key pair. */
  public record Issued(X509Certificate certificate, KeyPair keys) {}

  /**
   * Issues a certificate for {@code host}, valid from {@code now} minus a minute (clock skew) for
   * {@code days}.
   */
  public static Issued issue(
      String host, List<String> dnsNames, List<InetAddress> ips, Instant now, int days)
      throws GeneralSecurityException {
    KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
    gen.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
    KeyPair keys = gen.generateKeyPair();
    byte[] name = name(host + "@" + now.getEpochSecond());
    byte[] algorithm = seq(oid(ECDSA_SHA256));
    byte[] serial = new BigInteger(63, new SecureRandom()).add(BigInteger.ONE).toByteArray();
    byte[] tbs =
        seq(
            tagged(0xA0, der(0x02, new byte[] {2})), // version v3
            der(0x02, serial),
            algorithm,
            name,
            seq(time(now.minusSeconds(60)), time(now.plusSeconds(days * 86_400L))),
            name,
            keys.getPublic().getEncoded(),
            tagged(0xA3, seq(extensions(dnsNames, ips))));
    Signature signer = Signature.getInstance("SHA256withECDSA");
    signer.initSign(keys.getPrivate());
    signer.update(tbs);
    byte[] signature = signer.sign();
    byte[] cert = seq(tbs, algorithm, bitString(signature));
    X509Certificate parsed =
        (X509Certificate)
            CertificateFactory.getInstance("X.509")
                .generateCertificate(new java.io.ByteArrayInputStream(cert));
    parsed.verify(keys.getPublic());
    return new Issued(parsed, keys);
  }

  private static byte[] extensions(List<String> dnsNames, List<InetAddress> ips) {
    ByteArrayOutputStream altNames = new ByteArrayOutputStream();
    for (String dns : dnsNames) {
      altNames.writeBytes(der(0x82, dns.getBytes(StandardCharsets.US_ASCII)));
    }
    for (InetAddress ip : ips) {
      altNames.writeBytes(der(0x87, ip.getAddress()));
    }
    byte[] critical = der(0x01, new byte[] {(byte) 0xFF});
    return concat(
        seq(oid("2.5.29.15"), critical, der(0x04, der(0x03, new byte[] {7, (byte) 0x80}))),
        seq(oid("2.5.29.37"), der(0x04, seq(oid("1.3.6.1.5.5.7.3.1")))),
        seq(oid("2.5.29.19"), critical, der(0x04, seq())),
        seq(oid("2.5.29.17"), der(0x04, der(0x30, altNames.toByteArray()))));
  }

  private static byte[] name(String commonName) {
    return seq(
        der(0x31, seq(oid("2.5.4.3"), der(0x0C, commonName.getBytes(StandardCharsets.UTF_8)))));
  }

  private static byte[] time(Instant t) {
    return t.atZone(ZoneOffset.UTC).getYear() < 2050
        ? der(0x17, UTC_TIME.format(t).getBytes(StandardCharsets.US_ASCII))
        : der(0x18, GENERALIZED_TIME.format(t).getBytes(StandardCharsets.US_ASCII));
  }

  private static byte[] bitString(byte[] bits) {
    byte[] content = new byte[bits.length + 1];
    System.arraycopy(bits, 0, content, 1, bits.length);
    return der(0x03, content);
  }

  static byte[] oid(String dotted) {
    String[] parts = dotted.split("\\.");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(Integer.parseInt(parts[0]) * 40 + Integer.parseInt(parts[1]));
    for (int i = 2; i < parts.length; i++) {
      long v = Long.parseLong(parts[i]);
      int groups = Math.max(1, (64 - Long.numberOfLeadingZeros(v) + 6) / 7);
      for (int g = groups - 1; g >= 0; g--) {
        out.write((int) ((v >>> (7 * g)) & 0x7F) | (g == 0 ? 0 : 0x80));
      }
    }
    return der(0x06, out.toByteArray());
  }

  private static byte[] seq(byte[]... parts) {
    return der(0x30, concat(parts));
  }

  private static byte[] tagged(int tag, byte[] inner) {
    return der(tag, inner);
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  /** One DER TLV with a definite length. */
  static byte[] der(int tag, byte[] content) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(content.length + 6);
    out.write(tag);
    int n = content.length;
    if (n < 0x80) {
      out.write(n);
    } else {
      int bytes = (32 - Integer.numberOfLeadingZeros(n) + 7) / 8;
      out.write(0x80 | bytes);
      for (int i = bytes - 1; i >= 0; i--) {
        out.write(n >>> (8 * i));
      }
    }
    out.writeBytes(content);
    return out.toByteArray();
  }
}
