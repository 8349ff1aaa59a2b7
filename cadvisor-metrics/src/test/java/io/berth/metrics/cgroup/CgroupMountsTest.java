package io.berth.metrics.cgroup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.metrics.Fixtures;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class CgroupMountsTest {

  @Test
  void detectsHybridFromThisMachinesMountinfo() {
    CgroupMounts m = CgroupMounts.parse(Fixtures.text("cgroup-fixtures/mountinfo-hybrid"));

    assertThat(m.mode()).isEqualTo(CgroupMode.HYBRID);
    assertThat(m.v1Controllers())
        .containsEntry("cpu", Path.of("/sys/fs/cgroup/cpu"))
        .containsEntry("cpuacct", Path.of("/sys/fs/cgroup/cpuacct"))
        .containsEntry("memory", Path.of("/sys/fs/cgroup/memory"))
        .containsEntry("blkio", Path.of("/sys/fs/cgroup/blkio"))
        .containsEntry("pids", Path.of("/sys/fs/cgroup/pids"))
        .hasSize(5);
    assertThat(m.unified()).contains(Path.of("/sys/fs/cgroup/unified"));
  }

  @Test
  void detectsV1WithCoMountedCpuCpuacct() {
    String text =
        "25 20 0:22 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid shared:9 - cgroup cgroup"
            + " rw,cpu,cpuacct\n"
            + "26 20 0:23 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n";
    CgroupMounts m = CgroupMounts.parse(text);
    assertThat(m.mode()).isEqualTo(CgroupMode.V1);
    assertThat(m.v1Controllers().get("cpu")).isEqualTo(Path.of("/sys/fs/cgroup/cpu,cpuacct"));
    assertThat(m.v1Controllers().get("cpuacct")).isEqualTo(Path.of("/sys/fs/cgroup/cpu,cpuacct"));
    assertThat(m.unified()).isEmpty();
  }

  @Test
  void detectsUnified() {
    String text =
        "30 23 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2"
            + " rw,nsdelegate,memory_recursiveprot\n";
    CgroupMounts m = CgroupMounts.parse(text);
    assertThat(m.mode()).isEqualTo(CgroupMode.UNIFIED);
    assertThat(m.unified()).contains(Path.of("/sys/fs/cgroup"));
    assertThat(CgroupReader.forMounts(m, java.time.Clock.systemUTC()))
        .isInstanceOf(CgroupV2Reader.class);
  }

  @Test
  void unescapesOctal() {
    assertThat(CgroupMounts.unescape("/mnt/with\\040space")).isEqualTo("/mnt/with space");
  }

  @Test
  void failsWithoutCgroupMounts() {
    assertThatThrownBy(() -> CgroupMounts.parse("1 0 8:1 / / rw - ext4 /dev/sda1 rw\n"))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void kubepodsLayout() {
    KubepodsLayout layout = new KubepodsLayout("/kubepods");
    assertThat(layout.containerCgroup(KubepodsLayout.QosClass.BURSTABLE, "u1", "c1"))
        .isEqualTo("/kubepods/burstable/podu1/c1");
    assertThat(layout.podCgroup(KubepodsLayout.QosClass.BEST_EFFORT, "u1"))
        .isEqualTo("/kubepods/besteffort/podu1");
    assertThat(layout.podCgroup(KubepodsLayout.QosClass.GUARANTEED, "u1"))
        .isEqualTo("/kubepods/podu1");
  }
}
