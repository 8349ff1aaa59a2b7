package io.berth.agent.nodeconfig;

import io.berth.agent.server.NodeServerSettings;
import java.net.InetAddress;
import java.nio.file.Path;

/**
 * The KubeletConfiguration's secure-server fields, read from the same document as {@link
 * KubeletConfig}: {@code enableServer}, {@code address}, {@code port}, {@code tlsCertFile}, {@code
 * tlsPrivateKeyFile}, and the {@code authentication} and {@code authorization} blocks, as kubeadm
 * writes them. {@code berth run}'s node API flags override each field.
 *
 * @param serve the {@code enableServer} field: {@link Serve#DEFAULT} when absent (berth then serves
 *     the node API only with an API server, unlike the kubelet, because standalone berth has no one
 *     to authorize requests)
 * @param address where the node API listens (kubelet default 0.0.0.0)
 * @param port its port (kubelet default 10250)
 * @param tlsCertFile serving certificate; null: a self-signed one
 * @param tlsPrivateKeyFile its key; null exactly when {@code tlsCertFile} is null
 * @param authentication {@code authentication.x509.clientCAFile}, {@code webhook.enabled}, {@code
 *     webhook.cacheTTL}, {@code anonymous.enabled}
 * @param authorization {@code authorization.mode}, {@code webhook.cacheAuthorizedTTL}, {@code
 *     webhook.cacheUnauthorizedTTL}
 */
public record NodeServerConfig(
    Serve serve,
    InetAddress address,
    int port,
    Path tlsCertFile,
    Path tlsPrivateKeyFile,
    NodeServerSettings.Authentication authentication,
    NodeServerSettings.Authorization authorization) {

  /** The {@code enableServer} field as given. */
  public enum Serve {
    /** Absent: on with an API server, off without. */
    DEFAULT,
    ON,
    OFF
  }

  /** The kubelet's defaults, with berth's anonymous default (off, as kubeadm configures it). */
  public static NodeServerConfig defaults() {
    return new NodeServerConfig(
        Serve.DEFAULT,
        anyAddress(),
        NodeServerSettings.DEFAULT_PORT,
        null,
        null,
        NodeServerSettings.Authentication.defaults(),
        NodeServerSettings.Authorization.defaults());
  }

  static NodeServerConfig read(FieldReader r) {
    NodeServerConfig d = defaults();
    Serve serve =
        !r.has("enableServer")
            ? Serve.DEFAULT
            : r.bool("enableServer", true) ? Serve.ON : Serve.OFF;
    InetAddress address = r.parsed("address", d.address(), KubeletConfig::ipAddress);
    int port = r.integer("port", d.port(), 1, 65535);
    Path cert = r.parsed("tlsCertFile", null, v -> v.isEmpty() ? null : KubeletConfig.absolute(v));
    Path key =
        r.parsed("tlsPrivateKeyFile", null, v -> v.isEmpty() ? null : KubeletConfig.absolute(v));
    if ((cert == null) != (key == null)) {
      r.error(
          cert == null ? "tlsPrivateKeyFile" : "tlsCertFile",
          "tlsCertFile and tlsPrivateKeyFile go together: give both or neither");
    }
    FieldReader authn = r.object("authentication");
    FieldReader x509 = authn.object("x509");
    FieldReader webhook = authn.object("webhook");
    FieldReader anonymous = authn.object("anonymous");
    NodeServerSettings.Authentication a = d.authentication();
    NodeServerSettings.Authentication authentication =
        new NodeServerSettings.Authentication(
            x509.parsed("clientCAFile", null, v -> v.isEmpty() ? null : KubeletConfig.absolute(v)),
            webhook.bool("enabled", a.webhook()),
            webhook.duration("cacheTTL", a.webhookCacheTtl()),
            anonymous.bool("enabled", a.anonymous()));
    FieldReader authz = r.object("authorization");
    FieldReader authzWebhook = authz.object("webhook");
    NodeServerSettings.Authorization z = d.authorization();
    NodeServerSettings.AuthorizationMode mode =
        authz.parsed("mode", z.mode(), NodeServerConfig::authorizationMode);
    NodeServerSettings.Authorization authorization =
        new NodeServerSettings.Authorization(
            mode,
            authzWebhook.duration("cacheAuthorizedTTL", z.cacheAuthorizedTtl()),
            authzWebhook.duration("cacheUnauthorizedTTL", z.cacheUnauthorizedTtl()));
    return new NodeServerConfig(serve, address, port, cert, key, authentication, authorization);
  }

  /** The kubelet's mode names. */
  public static NodeServerSettings.AuthorizationMode authorizationMode(String v) {
    return switch (v) {
      case "Webhook" -> NodeServerSettings.AuthorizationMode.WEBHOOK;
      case "AlwaysAllow" -> NodeServerSettings.AuthorizationMode.ALWAYS_ALLOW;
      default ->
          throw new IllegalArgumentException("must be Webhook or AlwaysAllow, got '" + v + "'");
    };
  }

  private static String modeName(NodeServerSettings.AuthorizationMode m) {
    return switch (m) {
      case WEBHOOK -> "Webhook";
      case ALWAYS_ALLOW -> "AlwaysAllow";
    };
  }

  /**
   * The fields as YAML lines of the KubeletConfiguration document ({@code enableServer} only when
   * given).
   */
  String toYaml() {
    Yaml y = new Yaml();
    y.line("address", address.getHostAddress());
    Yaml authn = y.object("authentication");
    authn.object("anonymous").raw("enabled", authentication.anonymous());
    Yaml webhook = authn.object("webhook");
    webhook.line("cacheTTL", GoDuration.format(authentication.webhookCacheTtl()));
    webhook.raw("enabled", authentication.webhook());
    authn
        .object("x509")
        .line(
            "clientCAFile",
            authentication.clientCaFile() == null ? "" : authentication.clientCaFile().toString());
    Yaml authz = y.object("authorization");
    authz.line("mode", modeName(authorization.mode()));
    Yaml authzWebhook = authz.object("webhook");
    authzWebhook.line("cacheAuthorizedTTL", GoDuration.format(authorization.cacheAuthorizedTtl()));
    authzWebhook.line(
        "cacheUnauthorizedTTL", GoDuration.format(authorization.cacheUnauthorizedTtl()));
    if (serve != Serve.DEFAULT) {
      y.raw("enableServer", serve == Serve.ON);
    }
    y.raw("port", port);
    y.line("tlsCertFile", tlsCertFile == null ? "" : tlsCertFile.toString());
    y.line("tlsPrivateKeyFile", tlsPrivateKeyFile == null ? "" : tlsPrivateKeyFile.toString());
    return y.toString();
  }

  private static InetAddress anyAddress() {
    return KubeletConfig.ipAddress("0.0.0.0");
  }
}
