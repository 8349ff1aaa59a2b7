package io.berth.agent.kubeapi;

import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/** The TLS context a kubeconfig asks for: its CA (or insecure), and a client certificate. */
final class ApiTls {
  private static final char[] NO_PASSWORD = new char[0];

  private ApiTls() {}

  static SSLContext context(Kubeconfig config) throws GeneralSecurityException {
    TrustManager[] trust = null;
    if (config.insecureSkipTlsVerify()) {
      trust = new TrustManager[] {new TrustEverything()};
    } else if (config.certificateAuthorityPem().isPresent()) {
      KeyStore ks = emptyStore();
      List<X509Certificate> cas = PemKeys.certificates(config.certificateAuthorityPem().get());
      for (int i = 0; i < cas.size(); i++) {
        ks.setCertificateEntry("ca-" + i, cas.get(i));
      }
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(ks);
      trust = tmf.getTrustManagers();
    }
    javax.net.ssl.KeyManager[] keys = null;
    if (config.clientCertificatePem().isPresent() && config.clientKeyPem().isPresent()) {
      List<X509Certificate> chain = PemKeys.certificates(config.clientCertificatePem().get());
      PrivateKey key = PemKeys.privateKey(config.clientKeyPem().get());
      KeyStore ks = emptyStore();
      ks.setKeyEntry("client", key, NO_PASSWORD, chain.toArray(new X509Certificate[0]));
      KeyManagerFactory kmf =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, NO_PASSWORD);
      keys = kmf.getKeyManagers();
    }
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(keys, trust, null);
    return ctx;
  }

  private static KeyStore emptyStore() throws GeneralSecurityException {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try {
      ks.load(null, null);
    } catch (java.io.IOException e) {
      throw new GeneralSecurityException("cannot create an in-memory key store", e);
    }
    return ks;
  }

  /** insecure-skip-tls-verify: accepts any server certificate. */
  private static final class TrustEverything implements X509TrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
