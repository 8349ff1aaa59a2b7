package io.berth.agent.kubeapi;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PEM certificates and private keys as kubeconfigs hold them: PKCS#8 ({@code PRIVATE KEY}), PKCS#1
 * RSA ({@code RSA PRIVATE KEY}, kubeadm's) and SEC1 EC ({@code EC PRIVATE KEY}, the kubelet's
 * rotated client certificates). PKCS#1 and SEC1 are wrapped into PKCS#8 for the JDK.
 */
final class PemKeys {
  private static final Pattern BLOCK =
      Pattern.compile("-----BEGIN ([A-Z ]+)-----([^-]+)-----END \\1-----");
  private static final byte[] RSA_ALGORITHM = {
    0x30,
    0x0d,
    0x06,
    0x09,
    0x2a,
    (byte) 0x86,
    0x48,
    (byte) 0x86,
    (byte) 0xf7,
    0x0d,
    0x01,
    0x01,
    0x01,
    0x05,
    0x00
  };
  private static final byte[] EC_PUBLIC_KEY_OID = {
    0x06, 0x07, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01
  };

  private PemKeys() {}

  static List<X509Certificate> certificates(String pem) throws GeneralSecurityException {
    return CertificateFactory.getInstance("X.509")
        .generateCertificates(new ByteArrayInputStream(pem.getBytes()))
        .stream()
        .map(c -> (X509Certificate) c)
        .toList();
  }

  static PrivateKey privateKey(String pem) throws GeneralSecurityException {
    Matcher m = BLOCK.matcher(pem);
    while (m.find()) {
      String type = m.group(1);
      byte[] der = Base64.getMimeDecoder().decode(m.group(2).trim());
      switch (type) {
        case "PRIVATE KEY" -> {
          return pkcs8(der, "RSA", "EC", "Ed25519");
        }
        case "RSA PRIVATE KEY" -> {
          return pkcs8(
              sequence(concat(new byte[] {0x02, 0x01, 0x00}, RSA_ALGORITHM, tlv(0x04, der))),
              "RSA");
        }
        case "EC PRIVATE KEY" -> {
          byte[] curve = sec1Curve(der);
          byte[] algorithm = sequence(concat(EC_PUBLIC_KEY_OID, curve));
          return pkcs8(
              sequence(concat(new byte[] {0x02, 0x01, 0x00}, algorithm, tlv(0x04, der))), "EC");
        }
        default -> {}
      }
    }
    throw new GeneralSecurityException("no PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY block");
  }

  private static PrivateKey pkcs8(byte[] der, String... algorithms)
      throws GeneralSecurityException {
    GeneralSecurityException last = null;
    for (String algorithm : algorithms) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (GeneralSecurityException e) {
        last = e;
      }
    }
    throw new GeneralSecurityException(
        "unreadable private key (tried " + Arrays.toString(algorithms) + ")", last);
  }

  /** The curve OID (tag [0] of SEC1's ECPrivateKey), as a complete OID TLV. */
  private static byte[] sec1Curve(byte[] der) throws GeneralSecurityException {
    int[] seq = header(der, 0);
    int pos = seq[0];
    int end = seq[0] + seq[1];
    while (pos < end) {
      int tag = der[pos] & 0xff;
      int[] h = header(der, pos);
      if (tag == 0xa0) {
        return Arrays.copyOfRange(der, h[0], h[0] + h[1]);
      }
      pos = h[0] + h[1];
    }
    throw new GeneralSecurityException("EC PRIVATE KEY without curve parameters");
  }

  /** {content offset, content length} of the TLV at {@code pos}. */
  private static int[] header(byte[] der, int pos) throws GeneralSecurityException {
    if (pos + 2 > der.length) {
      throw new GeneralSecurityException("truncated DER");
    }
    int len = der[pos + 1] & 0xff;
    int off = pos + 2;
    if (len >= 0x80) {
      int n = len & 0x7f;
      len = 0;
      for (int i = 0; i < n; i++) {
        len = (len << 8) | (der[off + i] & 0xff);
      }
      off += n;
    }
    return new int[] {off, len};
  }

  private static byte[] sequence(byte[] content) {
    return tlv(0x30, content);
  }

  private static byte[] tlv(int tag, byte[] content) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(tag);
    int len = content.length;
    if (len < 0x80) {
      out.write(len);
    } else if (len < 0x100) {
      out.write(0x81);
      out.write(len);
    } else if (len < 0x10000) {
      out.write(0x82);
      out.write(len >> 8);
      out.write(len & 0xff);
    } else {
      out.write(0x83);
      out.write(len >> 16);
      out.write((len >> 8) & 0xff);
      out.write(len & 0xff);
    }
    out.writeBytes(content);
    return out.toByteArray();
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }
}
