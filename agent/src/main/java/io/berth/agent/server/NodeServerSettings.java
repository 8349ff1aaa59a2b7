package io.berth.agent.server;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The secure node API (the kubelet's port 10250): where it listens, its serving certificate, how it
 * authenticates and authorizes requests, and its limits. The defaults are the kubelet's
 * (KubeletConfiguration v1beta1), except that anonymous requests are refused unless enabled.
 *
 * @param enabled whether berth serves the node API at all
 * @param address where it listens (kubelet: {@code address} 0.0.0.0, {@code port} 10250)
 * @param tlsCertFile the serving certificate (PEM); null: a self-signed one in {@code certDir}
 * @param tlsPrivateKeyFile its PKCS#8 PEM key; null with {@code tlsCertFile} null
 * @param certDir where the self-signed certificate is kept (kubelet: {@code <root-dir>/pki})
 * @param authentication who is asking
 * @param authorization whether they may
 * @param limits what one connection or request may cost
 * @param nodeLogDir what {@code /logs/} serves (kubelet: {@code /var/log})
 */
public record NodeServerSettings(
    boolean enabled,
    InetSocketAddress address,
    Path tlsCertFile,
    Path tlsPrivateKeyFile,
    Path certDir,
    Authentication authentication,
    Authorization authorization,
    NodeServerLimits limits,
    Path nodeLogDir) {
  /** The kubelet's secure port. */
  public static final int DEFAULT_PORT = 10250;

  public NodeServerSettings {
    if ((tlsCertFile == null) != (tlsPrivateKeyFile == null)) {
      throw new IllegalArgumentException(
          "tlsCertFile and tlsPrivateKeyFile go together: give both or neither");
    }
    authentication = authentication == null ? Authentication.defaults() : authentication;
    authorization = authorization == null ? Authorization.defaults() : authorization;
    limits = limits == null ? NodeServerLimits.defaults() : limits;
    nodeLogDir = nodeLogDir == null ? Path.of("/var/log") : nodeLogDir;
  }

  /** No node API (the in-process default; {@code berth run} turns it on with a kubeconfig). */
  public static NodeServerSettings off() {
    return new NodeServerSettings(
        false, new InetSocketAddress(DEFAULT_PORT), null, null, null, null, null, null, null);
  }

  /** The node API on {@code address} with a self-signed certificate kept in {@code certDir}. */
  public static NodeServerSettings on(InetSocketAddress address, Path certDir) {
    return new NodeServerSettings(true, address, null, null, certDir, null, null, null, null);
  }

  public NodeServerSettings withTls(Path cert, Path key) {
    return copy(cert, key, authentication, authorization, limits, nodeLogDir);
  }

  public NodeServerSettings withAuthentication(Authentication a) {
    return copy(tlsCertFile, tlsPrivateKeyFile, a, authorization, limits, nodeLogDir);
  }

  public NodeServerSettings withAuthorization(Authorization a) {
    return copy(tlsCertFile, tlsPrivateKeyFile, authentication, a, limits, nodeLogDir);
  }

  public NodeServerSettings withLimits(NodeServerLimits l) {
    return copy(tlsCertFile, tlsPrivateKeyFile, authentication, authorization, l, nodeLogDir);
  }

  public NodeServerSettings withNodeLogDir(Path dir) {
    return copy(tlsCertFile, tlsPrivateKeyFile, authentication, authorization, limits, dir);
  }

  private NodeServerSettings copy(
      Path cert, Path key, Authentication a, Authorization z, NodeServerLimits l, Path logs) {
    return new NodeServerSettings(enabled, address, cert, key, certDir, a, z, l, logs);
  }

  /**
   * The kubelet's {@code authentication} block.
   *
   * @param clientCaFile CA bundle for X.509 client certificates (CN = user, O = groups); null: no
   *     client certificates
   * @param webhook bearer tokens through the API server's TokenReview
   * @param webhookCacheTtl how long a review is cached (kubelet default 2 min)
   * @param anonymous whether requests without credentials pass as {@code system:anonymous} (kubelet
   *     default true; berth's false, as kubeadm configures it)
   */
  public record Authentication(
      Path clientCaFile, boolean webhook, Duration webhookCacheTtl, boolean anonymous) {
    public static Authentication defaults() {
      return new Authentication(null, true, Duration.ofMinutes(2), false);
    }
  }

  /** The kubelet's authorization modes. */
  public enum AuthorizationMode {
    /** SubjectAccessReview to the API server. */
    WEBHOOK,
    /** Every authenticated request is allowed; only when explicitly configured. */
    ALWAYS_ALLOW
  }

  /**
   * The kubelet's {@code authorization} block.
   *
   * @param mode Webhook (default) or AlwaysAllow
   * @param cacheAuthorizedTtl how long an allow is cached (kubelet default 5 min)
   * @param cacheUnauthorizedTtl how long a deny is cached (kubelet default 30 s)
   */
  public record Authorization(
      AuthorizationMode mode, Duration cacheAuthorizedTtl, Duration cacheUnauthorizedTtl) {
    public static Authorization defaults() {
      return new Authorization(
          AuthorizationMode.WEBHOOK, Duration.ofMinutes(5), Duration.ofSeconds(30));
    }
  }
}
