package io.berth.agent.kuberuntime;

import static io.berth.agent.kuberuntime.TestPods.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.berth.cri.LinuxContainerResources;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Share/quota math of cm/helpers_linux_test.go and kuberuntime_container_linux_test.go. */
class LinuxResourcesTest {
  static final long GI = 1024L * 1024 * 1024;

  @ParameterizedTest(name = "{0} millicores → {1} shares")
  @CsvSource({
    "0,2",
    "1,2",
    "2,2",
    "3,3",
    "100,102",
    "250,256",
    "500,512",
    "1000,1024",
    "1500,1536",
    "256000,262144",
    "300000,262144"
  })
  void milliCpuToShares(long milli, long shares) {
    assertThat(LinuxResources.milliCpuToShares(milli)).isEqualTo(shares);
  }

  @ParameterizedTest(name = "{0} millicores, period {1} → quota {2}")
  @CsvSource({
    "0,100000,0",
    "5,100000,1000",
    "9,100000,1000",
    "10,100000,1000",
    "200,100000,20000",
    "500,100000,50000",
    "1000,100000,100000",
    "1500,100000,150000",
    "1500,50000,75000",
    "10,50000,1000"
  })
  void milliCpuToQuota(long milli, long period, long quota) {
    assertThat(LinuxResources.milliCpuToQuota(milli, period)).isEqualTo(quota);
  }

  static LinuxContainerResources of(Container c) {
    Pod pod = pod(List.of(c), List.of());
    return LinuxResources.of(pod, pod.getSpec().getContainers().get(0), 4 * GI);
  }

  @Test
  void requestsAndLimitsBecomeSharesQuotaAndMemory() {
    var r = of(resources("c", "250m", "64Mi", "500m", "128Mi"));
    assertThat(r.cpuShares()).isEqualTo(256);
    assertThat(r.cpuPeriod()).isEqualTo(100_000);
    assertThat(r.cpuQuota()).isEqualTo(50_000);
    assertThat(r.memoryLimitInBytes()).isEqualTo(128L * 1024 * 1024);
  }

  @Test
  void noResourcesMeansMinimumSharesAndNoQuota() {
    var r = of(container("c"));
    assertThat(r.cpuShares()).isEqualTo(2);
    assertThat(r.cpuQuota()).isZero();
    assertThat(r.memoryLimitInBytes()).isZero();
    assertThat(r.oomScoreAdj()).isEqualTo(1000);
  }

  @Test
  void onlyALimitDefaultsTheRequestToIt() {
    var r = of(resources("c", null, null, "1", "1Gi"));
    assertThat(r.cpuShares()).isEqualTo(1024);
    assertThat(r.cpuQuota()).isEqualTo(100_000);
    assertThat(r.oomScoreAdj()).isEqualTo(-997); // defaulted requests = limits: Guaranteed
  }

  @Test
  void oomScoreAdjByQosClass() {
    // Burstable: 1000 - 1000*request/capacity; 1 GiB of 4 GiB → 750
    assertThat(of(resources("c", "100m", "1Gi", null, null)).oomScoreAdj()).isEqualTo(750);
    // no memory request: 1000 would equal best effort → 999
    assertThat(of(resources("c", "100m", null, null, null)).oomScoreAdj()).isEqualTo(999);
    // requesting all memory: floor at 1000 + (-997) = 3
    assertThat(of(resources("c", "100m", "8Gi", null, null)).oomScoreAdj()).isEqualTo(3);
  }

  @Test
  void nodeCriticalPodsGetTheGuaranteedScore() {
    Pod pod =
        new PodBuilder(pod(List.of(container("c")), List.of()))
            .editSpec()
            .withPriorityClassName("system-node-critical")
            .endSpec()
            .build();
    assertThat(LinuxResources.oomScoreAdj(pod, pod.getSpec().getContainers().get(0), 4 * GI))
        .isEqualTo(-997);
  }

  @Test
  void sidecarGetsTheScoreOfTheLeastKillableMainContainer() {
    Container side = resources("side", "10m", "100Mi", null, null);
    side.setRestartPolicy("Always");
    Pod pod = pod(List.of(resources("main", "10m", "1Gi", null, null)), List.of(side));
    assertThat(LinuxResources.oomScoreAdj(pod, pod.getSpec().getInitContainers().get(0), 4 * GI))
        .isEqualTo(750);
  }
}
