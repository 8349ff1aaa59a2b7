package io.berth.agent.pod;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which pods the eviction manager spares, as the kubelet's IsCriticalPod. */
class CriticalPodsTest {
  private static Pod pod(Map<String, String> annotations, Integer priority) {
    return new PodBuilder()
        .withNewMetadata()
        .withName("p")
        .withAnnotations(annotations)
        .endMetadata()
        .withNewSpec()
        .withPriority(priority)
        .endSpec()
        .build();
  }

  @Test
  void staticMirrorAndSystemCriticalPodsAreCriticalApiPodsAreNot() {
    assertThat(CriticalPods.isCritical(pod(Map.of("kubernetes.io/config.source", "file"), null)))
        .isTrue();
    assertThat(CriticalPods.isCritical(pod(Map.of("kubernetes.io/config.source", "http"), null)))
        .isTrue();
    assertThat(
            CriticalPods.isCritical(
                pod(
                    Map.of(
                        "kubernetes.io/config.source", "api", "kubernetes.io/config.mirror", "h"),
                    null)))
        .isTrue();
    assertThat(
            CriticalPods.isCritical(
                pod(Map.of("kubernetes.io/config.source", "api"), 2_000_000_000)))
        .isTrue();
    assertThat(
            CriticalPods.isCritical(
                pod(Map.of("kubernetes.io/config.source", "api"), 1_999_999_999)))
        .isFalse();
    assertThat(CriticalPods.isCritical(pod(Map.of("kubernetes.io/config.source", "api"), null)))
        .isFalse();
  }
}
