package io.berth.agent.server;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * The kubelet's authentication chain: an X.509 client certificate (already verified against the
 * client CA bundle by the TLS handshake) names the user by its CN and groups by its O values; else
 * a bearer token is reviewed by the API server (answers cached by a hash of the token); else the
 * request is anonymous, allowed only when configured. Authenticated users get the group {@code
 * system:authenticated}, as from the API server's authenticators.
 *
 * <p>Thread safety: safe for concurrent requests.
 */
public final class RequestAuthenticator {
  static final String AUTHENTICATED = "system:authenticated";

  private final Optional<TokenReviewer> tokens;
  private final boolean anonymous;
  private final TtlCache<String, Optional<UserInfo>> reviews;

  /**
   * @param tokens the TokenReview client, empty when token authentication is off
   * @param cacheTtl how long an answer is kept (the kubelet's {@code webhook.cacheTTL}, for both
   *     authenticated and unauthenticated answers)
   */
  public RequestAuthenticator(
      Optional<TokenReviewer> tokens, Duration cacheTtl, boolean anonymous, Clock clock) {
    this.tokens = tokens;
    this.anonymous = anonymous;
    this.reviews = new TtlCache<>(clock, 10_000, answer -> cacheTtl);
  }

  /**
   * Authenticates one request.
   *
   * @param peerCertificates the client's verified chain, leaf first; empty for none
   * @param authorizationHeader the {@code Authorization} header, or null
   */
  public Authentication authenticate(
      List<X509Certificate> peerCertificates, String authorizationHeader) {
    if (!peerCertificates.isEmpty()) {
      return fromCertificate(peerCertificates.get(0));
    }
    if (authorizationHeader != null) {
      return fromHeader(authorizationHeader.strip());
    }
    return anonymous
        ? new Authentication.Authenticated(UserInfo.ANONYMOUS)
        : new Authentication.Refused("no credentials and anonymous requests are off");
  }

  private Authentication fromHeader(String header) {
    if (header.length() < 7 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return new Authentication.Refused("Authorization header is not a bearer token");
    }
    String token = header.substring(7).strip();
    if (token.isEmpty()) {
      return new Authentication.Refused("empty bearer token");
    }
    if (tokens.isEmpty()) {
      return new Authentication.Refused("bearer tokens are not accepted (no token webhook)");
    }
    Optional<UserInfo> user = reviews.get(sha256(token), k -> tokens.get().review(token));
    return user.<Authentication>map(u -> new Authentication.Authenticated(withAuthenticated(u)))
        .orElseGet(() -> new Authentication.Refused("the API server rejected the bearer token"));
  }

  private static Authentication fromCertificate(X509Certificate cert) {
    String cn = null;
    List<String> groups = new ArrayList<>();
    try {
      for (Rdn rdn : new LdapName(cert.getSubjectX500Principal().getName()).getRdns()) {
        if (rdn.getType().equalsIgnoreCase("CN") && cn == null) {
          cn = rdn.getValue().toString();
        } else if (rdn.getType().equalsIgnoreCase("O")) {
          groups.add(rdn.getValue().toString());
        }
      }
    } catch (InvalidNameException e) {
      return new Authentication.Refused("client certificate subject is not a valid name");
    }
    if (cn == null || cn.isEmpty()) {
      return new Authentication.Refused("client certificate has no common name");
    }
    // LdapName lists RDNs right to left; keep the groups in the order the subject names them.
    java.util.Collections.reverse(groups);
    return new Authentication.Authenticated(withAuthenticated(new UserInfo(cn, "", groups)));
  }

  private static UserInfo withAuthenticated(UserInfo u) {
    if (u.groups().contains(AUTHENTICATED)) {
      return u;
    }
    List<String> groups = new ArrayList<>(u.groups());
    groups.add(AUTHENTICATED);
    return new UserInfo(u.name(), u.uid(), groups);
  }

  private static String sha256(String token) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }
}
