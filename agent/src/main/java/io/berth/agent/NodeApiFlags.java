package io.berth.agent;

import io.berth.agent.nodeconfig.NodeServerConfig;
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
 * {@code --node-api-port} is given; {@code --node-api=false} turns it off. The config file's
 * KubeletConfiguration fields ({@code enableServer}, {@code address}, {@code port}, {@code
 * tlsCertFile}, {@code tlsPrivateKeyFile}, {@code authentication}, {@code authorization}) give what
 * a flag does not. Standalone berth has no one to authorize requests, so it does not open the port
 * unasked.
 */
final class NodeApiFlags {
  private NodeApiFlags() {}

  static NodeServerSettings settings(CommandLine cmd, Path rootDir, boolean hasApiServer) {
    return settings(cmd, rootDir, hasApiServer, NodeServerConfig.defaults());
  }

  /**
   * The node API from the flags, each falling back to the config file's field ({@code file}), then
   * to the kubelet's default. {@code enableServer} in the file turns it on or off like {@code
   * --node-api}.
   */
  static NodeServerSettings settings(
      CommandLine cmd, Path rootDir, boolean hasApiServer, NodeServerConfig file) {
    boolean fallback =
        switch (file.serve()) {
          case ON -> true;
          case OFF -> false;
          case DEFAULT -> hasApiServer || cmd.options().containsKey("node-api-port");
        };
    if (!bool(cmd, "node-api", fallback)) {
      return NodeServerSettings.off();
    }
    InetAddress address = file.address();
    if (cmd.options().containsKey("node-api-address")) {
      String a = cmd.value("node-api-address", "");
      try {
        address = InetAddress.getByName(a);
      } catch (UnknownHostException e) {
        throw new UsageException(
            "option --node-api-address must be an IP address, got '" + a + "'");
      }
    }
    NodeServerSettings s =
        NodeServerSettings.on(
            new InetSocketAddress(address, cmd.port("node-api-port", file.port())),
            rootDir.resolve("pki"));
    Path cert = RunCommand.optionalPath(cmd, "tls-cert-file");
    Path key = RunCommand.optionalPath(cmd, "tls-private-key-file");
    if ((cert == null) != (key == null)) {
      throw new UsageException("options --tls-cert-file and --tls-private-key-file go together");
    }
    if (cert == null) {
      cert = file.tlsCertFile();
      key = file.tlsPrivateKeyFile();
    }
    if (cert != null) {
      s = s.withTls(cert, key);
    }
    NodeServerSettings.Authentication authn = file.authentication();
    Path clientCa = RunCommand.optionalPath(cmd, "client-ca-file");
    s =
        s.withAuthentication(
            new NodeServerSettings.Authentication(
                clientCa != null ? clientCa : authn.clientCaFile(),
                bool(cmd, "authentication-token-webhook", authn.webhook()),
                authn.webhookCacheTtl(),
                bool(cmd, "anonymous-auth", authn.anonymous())));
    NodeServerSettings.Authorization authz = file.authorization();
    AuthorizationMode mode = authz.mode();
    if (cmd.options().containsKey("authorization-mode")) {
      String m = cmd.value("authorization-mode", "");
      try {
        mode = NodeServerConfig.authorizationMode(m);
      } catch (IllegalArgumentException e) {
        throw new UsageException("option --authorization-mode " + e.getMessage());
      }
    }
    s =
        s.withAuthorization(
            new NodeServerSettings.Authorization(
                mode, authz.cacheAuthorizedTtl(), authz.cacheUnauthorizedTtl()));
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
