package io.berth.agent;

import io.berth.agent.server.NodeServerSettings;
import io.berth.agent.server.NodeServerSettings.AuthorizationMode;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;

/**
 * {@code berth run}'s node API flags, named as the kubelet's where one exists ({@code
 * --tls-cert-file}, {@code --tls-private-key-file}, {@code --client-ca-file}, {@code
 * --anonymous-auth}, {@code --authentication-token-webhook}, {@code --authorization-mode}); berth's
 * {@code --address}/{@code --port} already name the local API, so the secure port is {@code
 * --node-api-address}/{@code --node-api-port}.
 *
 * <p>The node API is on (0.0.0.0:10250) when berth has an API server ({@code --kubeconfig}) or when
 * {@code --node-api-port} is given; {@code --node-api=false} turns it off. Standalone berth has no
 * one to authorize requests, so it does not open the port unasked.
 */
final class NodeApiFlags {
  private NodeApiFlags() {}

  static NodeServerSettings settings(CommandLine cmd, Path rootDir, boolean hasApiServer) {
    boolean on = bool(cmd, "node-api", hasApiServer || cmd.options().containsKey("node-api-port"));
    if (!on) {
      return NodeServerSettings.off();
    }
    InetAddress address;
    String a = cmd.value("node-api-address", "0.0.0.0");
    try {
      address = InetAddress.getByName(a);
    } catch (UnknownHostException e) {
      throw new UsageException("option --node-api-address must be an IP address, got '" + a + "'");
    }
    NodeServerSettings s =
        NodeServerSettings.on(
            new InetSocketAddress(
                address, cmd.port("node-api-port", NodeServerSettings.DEFAULT_PORT)),
            rootDir.resolve("pki"));
    Path cert = RunCommand.optionalPath(cmd, "tls-cert-file");
    Path key = RunCommand.optionalPath(cmd, "tls-private-key-file");
    if ((cert == null) != (key == null)) {
      throw new UsageException("options --tls-cert-file and --tls-private-key-file go together");
    }
    if (cert != null) {
      s = s.withTls(cert, key);
    }
    NodeServerSettings.Authentication authn = s.authentication();
    s =
        s.withAuthentication(
            new NodeServerSettings.Authentication(
                RunCommand.optionalPath(cmd, "client-ca-file"),
                bool(cmd, "authentication-token-webhook", authn.webhook()),
                authn.webhookCacheTtl(),
                bool(cmd, "anonymous-auth", authn.anonymous())));
    String mode = cmd.value("authorization-mode", "Webhook");
    NodeServerSettings.Authorization authz = s.authorization();
    AuthorizationMode m =
        switch (mode) {
          case "Webhook" -> AuthorizationMode.WEBHOOK;
          case "AlwaysAllow" -> AuthorizationMode.ALWAYS_ALLOW;
          default ->
              throw new UsageException(
                  "option --authorization-mode must be Webhook or AlwaysAllow, got '" + mode + "'");
        };
    s =
        s.withAuthorization(
            new NodeServerSettings.Authorization(
                m, authz.cacheAuthorizedTtl(), authz.cacheUnauthorizedTtl()));
    Path logs = RunCommand.optionalPath(cmd, "node-log-dir");
    return logs == null ? s : s.withNodeLogDir(logs);
  }

  private static boolean bool(CommandLine cmd, String name, boolean fallback) {
    String v = cmd.value(name, null);
    if (v == null) {
      return fallback;
    }
    return switch (v) {
      case "true" -> true;
      case "false" -> false;
      default ->
          throw new UsageException("option --" + name + " must be true or false, got '" + v + "'");
    };
  }
}
