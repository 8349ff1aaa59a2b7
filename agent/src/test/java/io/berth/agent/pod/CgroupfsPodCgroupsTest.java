package io.berth.agent.pod;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.agent.kuberuntime.CgroupNames;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.nio.file.Files;
import java.nio.file.Path;
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

  private static Pod pod(String uid, String cpu, String memory) {
    return new PodBuilder()
        .withNewMetadata()
        .withName("web")
        .withUid(uid)
        .endMetadata()
        .withNewSpec()
        .addNewContainer()
        .withName("c")
        .withImage("busybox")
        .withNewResources()
        .withRequests(Map.of("cpu", new Quantity(cpu), "memory", new Quantity(memory)))
        .withLimits(Map.of("cpu", new Quantity(cpu), "memory", new Quantity(memory)))
        .endResources()
        .endContainer()
        .endSpec()
        .build();
  }

  @Test
  void detectsTheV1HierarchiesAndLeavesV2OnlyHostsToTheRuntime() {
    assertThat(CgroupfsPodCgroups.detect(HYBRID, CgroupNames.defaults()))
        .isInstanceOf(CgroupfsPodCgroups.class);
    assertThat(
            CgroupfsPodCgroups.detect(
                "41 31 0:38 / /sys/fs/cgroup rw,relatime - cgroup2 cgroup2 rw\n",
                CgroupNames.defaults()))
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
            cpuset);
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
}
