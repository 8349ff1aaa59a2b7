package io.berth.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.agent.server.NodeServerSettings;
import io.berth.agent.server.NodeServerSettings.AuthorizationMode;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

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
}
