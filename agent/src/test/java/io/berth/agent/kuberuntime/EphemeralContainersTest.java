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
  void theirFieldsCarryOver() {
    Container c = EphemeralContainers.all(pod()).get(0);
    assertThat(c.getName()).isEqualTo("dbg1");
    assertThat(c.getImage()).isEqualTo("busybox");
    assertThat(c.getCommand()).containsExactly("sh");
    assertThat(c.getStdin()).isTrue();
    assertThat(EphemeralContainers.all(new PodBuilder().withNewSpec().endSpec().build())).isEmpty();
  }
}
