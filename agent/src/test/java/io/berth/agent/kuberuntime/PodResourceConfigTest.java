package io.berth.agent.kuberuntime;

import static io.berth.agent.kuberuntime.TestPods.container;
import static io.berth.agent.kuberuntime.TestPods.pod;
import static io.berth.agent.kuberuntime.TestPods.resources;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Cases after the kubelet's TestResourceConfigForPod (cgroupfs, CPU limits enforced). */
class PodResourceConfigTest {
  private static final long MI = 1024 * 1024;

  private static Container sidecar(Container c) {
    return new ContainerBuilder(c).withRestartPolicy("Always").build();
  }

  @Test
  void bestEffortGetsMinimumSharesOnly() {
    assertThat(PodResourceConfig.of(pod(List.of(container("a")), List.of())))
        .isEqualTo(new PodResourceConfig(2, null, null, null));
  }

  @Test
  void burstableWithoutLimitsGetsSharesOnly() {
    var pod = pod(List.of(resources("a", "100m", "100Mi", null, null)), List.of());
    assertThat(PodResourceConfig.of(pod)).isEqualTo(new PodResourceConfig(102, null, null, null));
  }

  @Test
  void burstableWithLimitsOnEveryContainerGetsQuotaAndMemory() {
    var pod =
        pod(
            List.of(
                resources("a", "100m", "100Mi", "200m", "200Mi"),
                resources("b", "100m", "100Mi", "300m", "300Mi")),
            List.of());
    assertThat(PodResourceConfig.of(pod))
        .isEqualTo(new PodResourceConfig(204, 50_000L, 100_000L, 500 * MI));
  }

  @Test
  void burstableWithPartialLimitsGetsNoQuotaAndNoMemoryLimit() {
    var pod =
        pod(
            List.of(
                resources("a", "100m", "100Mi", "200m", "200Mi"),
                resources("b", "100m", "100Mi", null, null)),
            List.of());
    assertThat(PodResourceConfig.of(pod)).isEqualTo(new PodResourceConfig(204, null, null, null));
  }

  @Test
  void guaranteedSumsItsContainers() {
    var pod =
        pod(
            List.of(
                resources("a", "100m", "100Mi", "100m", "100Mi"),
                resources("b", "250m", "28Mi", "250m", "28Mi")),
            List.of());
    assertThat(PodResourceConfig.of(pod))
        .isEqualTo(new PodResourceConfig(358, 35_000L, 100_000L, 128 * MI));
  }

  @Test
  void aLargerInitContainerSetsThePodsSize() {
    var pod =
        pod(
            List.of(resources("app", "100m", "100Mi", "100m", "100Mi")),
            List.of(resources("init", "500m", "1Gi", "500m", "1Gi")));
    assertThat(PodResourceConfig.of(pod))
        .isEqualTo(new PodResourceConfig(512, 50_000L, 100_000L, 1024 * MI));
  }

  @Test
  void sidecarsAddToTheAppsAndToLaterInitSteps() {
    var pod =
        pod(
            List.of(resources("app", "100m", "100Mi", "100m", "100Mi")),
            List.of(
                sidecar(resources("proxy", "100m", "50Mi", "100m", "50Mi")),
                resources("migrate", "150m", "200Mi", "150m", "200Mi")));
    // apps + sidecar = 200m / 150Mi; init step "migrate" + sidecar = 250m / 250Mi
    assertThat(PodResourceConfig.of(pod))
        .isEqualTo(new PodResourceConfig(256, 25_000L, 100_000L, 250 * MI));
  }
}
