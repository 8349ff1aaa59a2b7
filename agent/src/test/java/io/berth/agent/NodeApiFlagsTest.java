package io.berth.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.agent.server.NodeServerSettings;
import io.berth.agent.server.NodeServerSettings.AuthorizationMode;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeApiFlagsTest {
  private static NodeServerSettings parse(String... args) {
    return RunCommand.settings(CommandLine.parse(List.of(args))).nodeServer();
  }

  @Test
  void standaloneBerthOpensNoNodeApiUnasked() {
    assertThat(parse("run").enabled()).isFalse();
    assertThat(parse("run", "--kubeconfig", "/etc/berth/kubeconfig", "--node-api=false").enabled())
        .isFalse();
  }

  @Test
  void withAnApiServerItServesOn10250WithTheSecureDefaults() {
    NodeServerSettings s =
        parse("run", "--kubeconfig", "/etc/berth/kubeconfig", "--root-dir", "/r");
    assertThat(s.enabled()).isTrue();
    assertThat(s.address()).isEqualTo(new InetSocketAddress("0.0.0.0", 10250));
    assertThat(s.certDir()).isEqualTo(Path.of("/r/pki"));
    assertThat(s.tlsCertFile()).isNull();
    assertThat(s.authentication())
        .isEqualTo(new NodeServerSettings.Authentication(null, true, Duration.ofMinutes(2), false));
    assertThat(s.authorization())
        .isEqualTo(
            new NodeServerSettings.Authorization(
                AuthorizationMode.WEBHOOK, Duration.ofMinutes(5), Duration.ofSeconds(30)));
    assertThat(s.nodeLogDir()).isEqualTo(Path.of("/var/log"));
  }

  @Test
  void everyFlagIsRead() {
    NodeServerSettings s =
        parse(
            "run",
            "--node-api-address",
            "127.0.0.1",
            "--node-api-port",
            "11250",
            "--tls-cert-file",
            "/pki/serving.crt",
            "--tls-private-key-file",
            "/pki/serving.key",
            "--client-ca-file",
            "/pki/ca.crt",
            "--anonymous-auth=true",
            "--authentication-token-webhook=false",
            "--authorization-mode",
            "AlwaysAllow",
            "--node-log-dir",
            "/logs");
    assertThat(s.enabled()).isTrue();
    assertThat(s.address()).isEqualTo(new InetSocketAddress("127.0.0.1", 11250));
    assertThat(s.tlsCertFile()).isEqualTo(Path.of("/pki/serving.crt"));
    assertThat(s.tlsPrivateKeyFile()).isEqualTo(Path.of("/pki/serving.key"));
    assertThat(s.authentication().clientCaFile()).isEqualTo(Path.of("/pki/ca.crt"));
    assertThat(s.authentication().anonymous()).isTrue();
    assertThat(s.authentication().webhook()).isFalse();
    assertThat(s.authorization().mode()).isEqualTo(AuthorizationMode.ALWAYS_ALLOW);
    assertThat(s.nodeLogDir()).isEqualTo(Path.of("/logs"));
  }

  @Test
  void badValuesAreUsageErrorsNamingTheFlag() {
    assertThatThrownBy(() -> parse("run", "--node-api-port", "1", "--authorization-mode", "RBAC"))
        .isInstanceOf(UsageException.class)
        .hasMessageContaining("--authorization-mode");
    assertThatThrownBy(() -> parse("run", "--node-api-port", "1", "--tls-cert-file", "/a.crt"))
        .isInstanceOf(UsageException.class)
        .hasMessageContaining("--tls-private-key-file");
    assertThatThrownBy(() -> parse("run", "--node-api-port", "1", "--client-ca-file", "ca.crt"))
        .isInstanceOf(UsageException.class)
        .hasMessageContaining("--client-ca-file");
    assertThatThrownBy(() -> parse("run", "--node-api-port", "1", "--anonymous-auth", "yes"))
        .isInstanceOf(UsageException.class)
        .hasMessageContaining("--anonymous-auth");
  }

  private static final String KUBEADM_STYLE =
      """
      apiVersion: kubelet.config.k8s.io/v1beta1
      kind: KubeletConfiguration
      address: 127.0.0.2
      port: 10350
      tlsCertFile: /var/lib/kubelet/pki/kubelet.crt
      tlsPrivateKeyFile: /var/lib/kubelet/pki/kubelet.key
      authentication:
        anonymous: {enabled: false}
        webhook: {enabled: true, cacheTTL: 1m}
        x509: {clientCAFile: /etc/kubernetes/pki/ca.crt}
      authorization:
        mode: AlwaysAllow
        webhook: {cacheAuthorizedTTL: 0s, cacheUnauthorizedTTL: 0s}
      """;

  @Test
  void theConfigFilesNodeApiFieldsApplyWhereNoFlagIsGiven(@TempDir Path dir) throws Exception {
    Path config = Files.writeString(dir.resolve("config.yaml"), KUBEADM_STYLE);
    NodeServerSettings s =
        parse("run", "--config", config.toString(), "--kubeconfig", "/etc/berth/kubeconfig");

    assertThat(s.enabled()).isTrue();
    assertThat(s.address()).isEqualTo(new InetSocketAddress("127.0.0.2", 10350));
    assertThat(s.tlsCertFile()).isEqualTo(Path.of("/var/lib/kubelet/pki/kubelet.crt"));
    assertThat(s.tlsPrivateKeyFile()).isEqualTo(Path.of("/var/lib/kubelet/pki/kubelet.key"));
    assertThat(s.authentication())
        .isEqualTo(
            new NodeServerSettings.Authentication(
                Path.of("/etc/kubernetes/pki/ca.crt"), true, Duration.ofMinutes(1), false));
    assertThat(s.authorization())
        .isEqualTo(
            new NodeServerSettings.Authorization(
                AuthorizationMode.ALWAYS_ALLOW, Duration.ZERO, Duration.ZERO));
    // the file alone does not open the port on a standalone berth
    assertThat(parse("run", "--config", config.toString()).enabled()).isFalse();
  }

  @Test
  void flagsOverrideTheConfigFilesNodeApiFields(@TempDir Path dir) throws Exception {
    Path config = Files.writeString(dir.resolve("config.yaml"), KUBEADM_STYLE);
    NodeServerSettings s =
        parse(
            "run",
            "--config",
            config.toString(),
            "--node-api-port",
            "11250",
            "--client-ca-file",
            "/pki/other-ca.crt",
            "--authorization-mode",
            "Webhook",
            "--tls-cert-file",
            "/pki/serving.crt",
            "--tls-private-key-file",
            "/pki/serving.key");

    assertThat(s.address()).isEqualTo(new InetSocketAddress("127.0.0.2", 11250));
    assertThat(s.authentication().clientCaFile()).isEqualTo(Path.of("/pki/other-ca.crt"));
    assertThat(s.authorization().mode()).isEqualTo(AuthorizationMode.WEBHOOK);
    assertThat(s.authorization().cacheAuthorizedTtl()).isZero(); // no flag: the file's
    assertThat(s.tlsCertFile()).isEqualTo(Path.of("/pki/serving.crt"));
  }

  @Test
  void enableServerInTheFileTurnsTheNodeApiOnOrOffUnlessTheFlagSays(@TempDir Path dir)
      throws Exception {
    String head = "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n";
    Path on = Files.writeString(dir.resolve("on.yaml"), head + "enableServer: true\n");
    Path off = Files.writeString(dir.resolve("off.yaml"), head + "enableServer: false\n");

    assertThat(parse("run", "--config", on.toString()).enabled()).isTrue();
    assertThat(parse("run", "--config", off.toString(), "--kubeconfig", "/k").enabled()).isFalse();
    assertThat(parse("run", "--config", off.toString(), "--node-api=true").enabled()).isTrue();
  }
}
