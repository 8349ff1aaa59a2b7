package io.berth.agent.kuberuntime;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.cri.ContainerState;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class EphemeralContainersTest {
  private static final Instant T = Instant.parse("2026-01-01T00:00:00Z");

  private static Pod pod() {
    return new PodBuilder()
        .withNewMetadata()
        .withName("p")
        .withUid("u")
        .endMetadata()
        .withNewSpec()
        .addNewContainer()
        .withName("app")
        .withImage("busybox")
        .endContainer()
        .addNewEphemeralContainer()
        .withName("dbg1")
        .withImage("busybox")
        .withCommand("sh")
        .withTargetContainerName("app")
        .withStdin(true)
        .endEphemeralContainer()
        .addNewEphemeralContainer()
        .withName("dbg2")
        .withImage("tools")
        .endEphemeralContainer()
        .endSpec()
        .build();
  }

  private static ObservedPod.Container exited(String name) {
    return new ObservedPod.Container(
        name + "-id", name, "sb", ContainerState.EXITED, 1, "", "", "h", 0, T, T, T, "", "");
  }

  @Test
  void onlyThoseThatNeverRanStartAndAnExitedOneIsNotRestarted() {
    ObservedPod observed = new ObservedPod("u", List.of(), List.of(exited("app"), exited("dbg1")));
    assertThat(EphemeralContainers.toStart(pod(), observed))
        .extracting(Container::getName)
        .containsExactly("dbg2");
    assertThat(EphemeralContainers.toStart(pod(), ObservedPod.empty("u")))
        .extracting(Container::getName)
        .containsExactly("dbg1", "dbg2");
  }

  @Test
  void aTargetGivesThePidNamespaceOfItsRunningContainer() {
    io.berth.cri.ContainerConfig config =
        io.berth.cri.ContainerConfig.builder(
                new io.berth.cri.ContainerMetadata("dbg1", 0), "busybox")
            .securityContext(
                io.berth.cri.ContainerSecurityContext.builder()
                    .namespaceOptions(io.berth.cri.NamespaceOptions.podDefaults())
                    .build())
            .build();
    ObservedPod.Container app =
        new ObservedPod.Container(
            "app-id", "app", "sb", ContainerState.RUNNING, 0, "", "", "h", 0, T, T, null, "", "");
    var ns =
        EphemeralContainers.withTarget(
                pod(), "dbg1", new ObservedPod("u", List.of(), List.of(app)), config)
            .securityContext()
            .namespaceOptions();
    assertThat(ns.pid()).isEqualTo(io.berth.cri.NamespaceMode.TARGET);
    assertThat(ns.targetId()).isEqualTo("app-id");
    assertThat(
            EphemeralContainers.withTarget(pod(), "dbg2", ObservedPod.empty("u"), config)
                .securityContext()
                .namespaceOptions()
                .pid())
        .as("no target: its own PID namespace")
        .isEqualTo(io.berth.cri.NamespaceMode.CONTAINER);
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                EphemeralContainers.withTarget(
                    pod(), "dbg1", new ObservedPod("u", List.of(), List.of(exited("app"))), config))
        .isInstanceOf(ContainerConfigException.class)
        .hasMessageContaining("target container \"app\" is not running");
  }

  @Test
  void theirFieldsCarryOver() {
    Container c = EphemeralContainers.all(pod()).get(0);
    assertThat(c.getName()).isEqualTo("dbg1");
    assertThat(c.getImage()).isEqualTo("busybox");
    assertThat(c.getCommand()).containsExactly("sh");
    assertThat(c.getStdin()).isTrue();
    assertThat(EphemeralContainers.all(new PodBuilder().withNewSpec().endSpec().build())).isEmpty();
  }
}
