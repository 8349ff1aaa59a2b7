package io.berth.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class PodsCommandTest {
  private static final Instant NOW = Instant.parse("2026-11-24T10:00:00Z");

  private static Pod pod(String name, String phase, String ip, ContainerStatusBuilder... statuses) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace("default")
        .endMetadata()
        .withNewSpec()
        .withNodeName("node1")
        .addNewContainer()
        .withName("c")
        .endContainer()
        .endSpec()
        .withNewStatus()
        .withPhase(phase)
        .withPodIP(ip)
        .withStartTime("2026-11-24T09:57:30Z")
        .withContainerStatuses(
            List.of(statuses).stream().map(ContainerStatusBuilder::build).toList())
        .endStatus()
        .build();
  }

  @Test
  void tableReadsLikeKubectlGetPodsWide() {
    Pod web =
        pod(
            "web-node1",
            "Running",
            "10.214.0.5",
            new ContainerStatusBuilder()
                .withName("c")
                .withReady(true)
                .withRestartCount(0)
                .withNewState()
                .withNewRunning()
                .endRunning()
                .endState());
    Pod crash =
        pod(
            "crashloop-node1",
            "Running",
            "10.214.0.6",
            new ContainerStatusBuilder()
                .withName("c")
                .withReady(false)
                .withRestartCount(3)
                .withNewState()
                .withNewWaiting()
                .withReason("CrashLoopBackOff")
                .endWaiting()
                .endState());
    Pod job =
        pod(
            "job-node1",
            "Succeeded",
            null,
            new ContainerStatusBuilder()
                .withName("c")
                .withReady(false)
                .withRestartCount(0)
                .withNewState()
                .withNewTerminated()
                .withReason("Completed")
                .withExitCode(0)
                .endTerminated()
                .endState());

    assertThat(PodsCommand.table(List.of(web, crash, job), NOW))
        .isEqualTo(
            """
            NAMESPACE   NAME              READY   STATUS             RESTARTS   AGE     IP           NODE
            default     web-node1         1/1     Running            0          2m30s   10.214.0.5   node1
            default     crashloop-node1   0/1     CrashLoopBackOff   3          2m30s   10.214.0.6   node1
            default     job-node1         0/1     Completed          0          2m30s   <none>       node1
            """);
  }

  @Test
  void ageIsShortLikeKubectls() {
    assertThat(PodsCommand.age(Duration.ofSeconds(45))).isEqualTo("45s");
    assertThat(PodsCommand.age(Duration.ofSeconds(192))).isEqualTo("3m12s");
    assertThat(PodsCommand.age(Duration.ofMinutes(125))).isEqualTo("2h5m");
    assertThat(PodsCommand.age(Duration.ofDays(4).plusHours(3))).isEqualTo("4d");
  }
}
