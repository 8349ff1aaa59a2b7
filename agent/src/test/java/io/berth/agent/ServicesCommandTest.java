package io.berth.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServicesCommandTest {
  private static final Instant NOW = Instant.parse("2026-11-24T12:00:00Z");

  @Test
  void theTableReadsLikeKubectlGetServicesWide() {
    Service web =
        new ServiceBuilder()
            .withNewMetadata()
            .withNamespace("default")
            .withName("web")
            .withCreationTimestamp("2026-11-24T11:57:00Z")
            .endMetadata()
            .withNewSpec()
            .withType("NodePort")
            .withClusterIP("10.96.0.10")
            .withSelector(Map.of("app", "web", "tier", "front"))
            .addNewPort()
            .withPort(80)
            .withNodePort(30080)
            .withProtocol("TCP")
            .endPort()
            .addNewPort()
            .withPort(53)
            .withProtocol("UDP")
            .endPort()
            .endSpec()
            .build();
    Service headless =
        new ServiceBuilder()
            .withNewMetadata()
            .withNamespace("db")
            .withName("pg")
            .endMetadata()
            .withNewSpec()
            .withClusterIP("None")
            .withSelector(Map.of("app", "pg"))
            .addNewPort()
            .withPort(5432)
            .endPort()
            .endSpec()
            .build();
    Service lb =
        new ServiceBuilder()
            .withNewMetadata()
            .withNamespace("default")
            .withName("edge")
            .withCreationTimestamp("2026-11-21T12:00:00Z")
            .endMetadata()
            .withNewSpec()
            .withType("LoadBalancer")
            .withClusterIP("10.96.0.20")
            .addNewPort()
            .withPort(443)
            .withNodePort(31443)
            .withProtocol("TCP")
            .endPort()
            .endSpec()
            .build();
    Service ext =
        new ServiceBuilder()
            .withNewMetadata()
            .withNamespace("default")
            .withName("mail")
            .endMetadata()
            .withNewSpec()
            .withType("ExternalName")
            .withExternalName("mail.example.com")
            .endSpec()
            .build();
    assertThat(ServicesCommand.table(List.of(headless, lb, ext, web), NOW))
        .isEqualTo(
            """
            NAMESPACE   NAME   TYPE           CLUSTER-IP   EXTERNAL-IP        PORT(S)               AGE         SELECTOR
            db          pg     ClusterIP      None         <none>             5432/TCP              <unknown>   app=pg
            default     edge   LoadBalancer   10.96.0.20   <pending>          443:31443/TCP         3d          <none>
            default     mail   ExternalName   <none>       mail.example.com   <none>                <unknown>   <none>
            default     web    NodePort       10.96.0.10   <none>             80:30080/TCP,53/UDP   3m          app=web,tier=front
            """);
  }

  @Test
  void aBadOutputIsAUsageError() {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    ServicesCommand c =
        new ServicesCommand(new PrintStream(buf, true, StandardCharsets.UTF_8), Clock.systemUTC());
    assertThatThrownBy(() -> c.run("http://127.0.0.1:1", "yaml"))
        .isInstanceOf(UsageException.class)
        .hasMessageContaining("wide or json");
  }
}
