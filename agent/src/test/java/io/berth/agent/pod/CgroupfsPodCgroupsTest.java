package io.berth.agent.pod;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.agent.kuberuntime.CgroupNames;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Against a directory tree standing in for /sys/fs/cgroup (the IT uses the real one). */
class CgroupfsPodCgroupsTest {
  @TempDir Path root;

  private static final String HYBRID =
      """
      31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
      32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
      34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset
      35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
      40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
      41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
      """;

  /** A Guaranteed pod: limits equal to requests. */
  private static Pod pod(String uid, String cpu, String memory) {
    Map<String, Quantity> r = Map.of("cpu", new Quantity(cpu), "memory", new Quantity(memory));
    return pod(uid, r, r);
  }

  private static Pod pod(String uid, Map<String, Quantity> requests, Map<String, Quantity> limits) {
    return new PodBuilder()
        .withNewMetadata()
        .withName("p-" + uid)
        .withUid(uid)
        .endMetadata()
        .withNewSpec()
        .addNewContainer()
        .withName("c")
        .withImage("busybox")
        .withNewResources()
        .withRequests(requests)
        .withLimits(limits)
        .endResources()
        .endContainer()
        .endSpec()
        .build();
  }

  @Test
  void detectsTheV1HierarchiesAndLeavesV2OnlyHostsToTheRuntime() {
    assertThat(CgroupfsPodCgroups.detect(HYBRID, CgroupNames.defaults(), List::of))
        .isInstanceOf(CgroupfsPodCgroups.class);
    assertThat(
            CgroupfsPodCgroups.detect(
                "41 31 0:38 / /sys/fs/cgroup rw,relatime - cgroup2 cgroup2 rw\n",
                CgroupNames.defaults(),
                List::of))
        .isInstanceOfSatisfying(
            PodCgroups.Unmanaged.class, u -> assertThat(u.why()).contains("cgroup v2"));
  }

  @Test
  void createsTheGuaranteedPodsCgroupEverywhereAndSizesIt() throws Exception {
    Path cpu = Files.createDirectories(root.resolve("cpu"));
    Path memory = Files.createDirectories(root.resolve("memory"));
    Path cpuset = Files.createDirectories(root.resolve("cpuset"));
    Path systemd = Files.createDirectories(root.resolve("systemd"));
    Files.writeString(cpuset.resolve("cpuset.cpus"), "0-1\n");
    Files.writeString(cpuset.resolve("cpuset.mems"), "0\n");
    var cgroups =
        new CgroupfsPodCgroups(
            new CgroupNames("/test-root"),
            java.util.List.of(cpu, memory, cpuset, systemd),
            cpu,
            memory,
            cpuset,
            List::of);
    cgroups.ensureExists(pod("u1", "250m", "64Mi"));
    Path podCpu = cpu.resolve("test-root/podu1");
    assertThat(podCpu.resolve("cpu.shares")).hasContent("256");
    assertThat(podCpu.resolve("cpu.cfs_period_us")).hasContent("100000");
    assertThat(podCpu.resolve("cpu.cfs_quota_us")).hasContent("25000");
    assertThat(memory.resolve("test-root/podu1/memory.limit_in_bytes"))
        .hasContent(Long.toString(64L * 1024 * 1024));
    assertThat(cpuset.resolve("test-root/cpuset.cpus")).hasContent("0-1");
    assertThat(cpuset.resolve("test-root/podu1/cpuset.mems")).hasContent("0");
    assertThat(systemd.resolve("test-root/podu1")).isDirectory();
  }

  /** A Burstable pod: a CPU request, no limits. */
  private static Pod burstable(String uid, String cpuRequest) {
    return pod(uid, Map.of("cpu", new Quantity(cpuRequest)), Map.of());
  }

  private static Pod bestEffort(String uid) {
    return pod(uid, Map.of(), Map.of());
  }

  @Test
  void theQosLevelsGetTheKubeletsSharesAsPodsComeAndGo() throws Exception {
    Path cpu = Files.createDirectories(root.resolve("cpu"));
    Path memory = Files.createDirectories(root.resolve("memory"));
    List<Pod> active = new ArrayList<>();
    var cgroups =
        new CgroupfsPodCgroups(
            new CgroupNames("/test-root"), List.of(cpu, memory), cpu, memory, null, () -> active);
    Path burstableShares = cpu.resolve("test-root/burstable/cpu.shares");
    Path bestEffortShares = cpu.resolve("test-root/besteffort/cpu.shares");

    Pod first = burstable("b1", "500m");
    cgroups.ensureExists(first); // before the pod is in the active list: it is counted anyway
    active.add(first);
    assertThat(burstableShares).as("500m → 512 shares").hasContent("512");
    assertThat(bestEffortShares).hasContent("2");
    assertThat(memory.resolve("test-root/burstable")).isDirectory();

    Pod second = burstable("b2", "1500m");
    cgroups.ensureExists(second);
    active.add(second);
    assertThat(burstableShares).as("2000m → 2048 shares").hasContent("2048");

    Pod idle = bestEffort("e1");
    cgroups.ensureExists(idle);
    active.add(idle);
    assertThat(bestEffortShares).hasContent("2");
    assertThat(cpu.resolve("test-root/besteffort/pode1/cpu.shares")).hasContent("2");

    active.remove(second);
    cgroups.updateQosCgroups(active);
    assertThat(burstableShares).as("the periodic update after a pod went").hasContent("512");
    active.clear();
    cgroups.updateQosCgroups(active);
    assertThat(burstableShares).as("no Burstable pod: the minimum").hasContent("2");

    cgroups.ensureExists(pod("g1", "1", "64Mi"));
    assertThat(cpu.resolve("test-root/podg1/cpu.shares"))
        .as("Guaranteed pods sit under the root with their own shares")
        .hasContent("1024");
  }
}
