package io.berth.metrics.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.metrics.Fixtures;
import io.berth.metrics.node.EvictionThreshold.Percentage;
import io.berth.metrics.node.EvictionThreshold.Quantity;
import io.berth.metrics.node.EvictionThreshold.Signal;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class NodePressureTest {
  private static final long MI = 1024 * 1024;

  private static NodeStats node(
      long memTotal,
      long workingSet,
      long fsCap,
      long fsAvail,
      long inodes,
      long inodesFree,
      long tasks) {
    NodeStats base = Fixtures.node(Fixtures.T0, 1);
    return new NodeStats(
        base.time(),
        base.bootTime(),
        2,
        1,
        memTotal,
        memTotal - workingSet,
        workingSet,
        new FilesystemStats("/", fsCap, fsAvail, fsCap - fsAvail, inodes, inodesFree),
        List.of(),
        List.of(0.0, 0.0, 0.0),
        4_194_304,
        tasks);
  }

  @Test
  void healthyNodeHasNoConditions() {
    NodePressure p =
        NodePressure.evaluate(
            Fixtures.node(Fixtures.T0, 1), Optional.empty(), EvictionThreshold.kubeletDefaults());
    assertThat(p.breached()).isEmpty();
    assertThat(p.memoryPressure()).isFalse();
    assertThat(p.diskPressure()).isFalse();
    assertThat(p.pidPressure()).isFalse();
    assertThat(p.observations().get(Signal.MEMORY_AVAILABLE).available())
        .isEqualTo(8_340_000_000L - 2_240_000_000L);
  }

  @Test
  void memoryBelow100MiIsMemoryPressure() {
    NodePressure p =
        NodePressure.evaluate(
            node(1024 * MI, 1024 * MI - 99 * MI, 1000, 500, 100, 50, 10),
            Optional.empty(),
            EvictionThreshold.kubeletDefaults());
    assertThat(p.memoryPressure()).isTrue();
    assertThat(p.diskPressure()).isFalse();
    NodePressure exactly =
        NodePressure.evaluate(
            node(1024 * MI, 1024 * MI - 100 * MI, 1000, 500, 100, 50, 10),
            Optional.empty(),
            EvictionThreshold.kubeletDefaults());
    assertThat(exactly.memoryPressure()).isFalse(); // "<", not "<="
  }

  @Test
  void nodefsAndInodesAndImagefsGiveDiskPressure() {
    var defaults = EvictionThreshold.kubeletDefaults();
    assertThat(
            NodePressure.evaluate(
                    node(8192 * MI, MI, 1000, 99, 100, 50, 1), Optional.empty(), defaults)
                .breached())
        .contains(Signal.NODEFS_AVAILABLE, Signal.IMAGEFS_AVAILABLE);
    assertThat(
            NodePressure.evaluate(
                    node(8192 * MI, MI, 1000, 140, 100, 50, 1), Optional.empty(), defaults)
                .breached())
        .containsExactly(Signal.IMAGEFS_AVAILABLE); // 14% < 15% but >= 10%
    assertThat(
            NodePressure.evaluate(
                    node(8192 * MI, MI, 1000, 500, 100, 4, 1), Optional.empty(), defaults)
                .breached())
        .containsExactly(Signal.NODEFS_INODES_FREE);
    FilesystemStats bigImagefs = new FilesystemStats("/images", 1000, 900, 100, 10, 10);
    NodePressure separate =
        NodePressure.evaluate(
            node(8192 * MI, MI, 1000, 140, 100, 50, 1), Optional.of(bigImagefs), defaults);
    assertThat(separate.diskPressure()).isFalse();
  }

  @Test
  void pidPressureOnlyWithAConfiguredThreshold() {
    NodeStats busy = node(8192 * MI, MI, 1000, 500, 100, 50, 4_194_000);
    assertThat(
            NodePressure.evaluate(busy, Optional.empty(), EvictionThreshold.kubeletDefaults())
                .pidPressure())
        .isFalse();
    var withPid = List.of(new EvictionThreshold(Signal.PID_AVAILABLE, new Quantity(1000)));
    assertThat(NodePressure.evaluate(busy, Optional.empty(), withPid).pidPressure()).isTrue();
    assertThat(new Percentage(10).minimum(1001)).isEqualTo(101);
  }

  @Test
  void capacityFromNodeStats() {
    assertThat(NodeCapacity.of(Fixtures.node(Fixtures.T0, 1), NodeCapacity.DEFAULT_MAX_PODS))
        .isEqualTo(new NodeCapacity(2000, 8_340_000_000L, 110, 270_465_425_408L));
  }
}
