package io.berth.metrics.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Reads this host through OSHI and evaluates the default eviction thresholds. */
class OshiNodeStatsIT {

  @Test
  void readsHostAndEvaluatesPressure() throws IOException {
    OshiNodeStatsSource source = new OshiNodeStatsSource(Path.of("/var/lib"), Clock.systemUTC());
    NodeStats first = source.read();
    NodeStats second = source.read();

    assertThat(first.cpuCores()).isEqualTo(Runtime.getRuntime().availableProcessors());
    assertThat(second.cpuUsageNanos()).isGreaterThanOrEqualTo(first.cpuUsageNanos()).isPositive();
    assertThat(first.memoryTotalBytes()).isGreaterThan(first.memoryAvailableBytes()).isPositive();
    assertThat(first.memoryWorkingSetBytes())
        .isEqualTo(first.memoryTotalBytes() - first.memoryAvailableBytes());
    assertThat(first.nodefs().capacityBytes()).isGreaterThan(first.nodefs().availableBytes());
    assertThat(first.nodefs().inodes()).isPositive();
    // the same statvfs the JDK makes for its FileStore
    FileStore store = Files.getFileStore(Path.of("/var/lib"));
    assertThat(first.nodefs().capacityBytes()).isEqualTo(store.getTotalSpace());
    assertThat(first.nodefs().availableBytes())
        .isCloseTo(store.getUsableSpace(), org.assertj.core.data.Offset.offset(256L << 20));
    assertThat(first.maxPid()).isGreaterThan(first.currentProcesses());
    assertThat(first.network()).noneMatch(i -> i.name().equals("lo"));
    assertThat(first.loadAverage()).hasSize(3);

    NodeCapacity capacity = NodeCapacity.of(first, NodeCapacity.DEFAULT_MAX_PODS);
    assertThat(capacity.cpuMillis()).isEqualTo(first.cpuCores() * 1000L);
    NodePressure pressure =
        NodePressure.evaluate(first, Optional.empty(), EvictionThreshold.kubeletDefaults());
    assertThat(pressure.observations()).hasSize(5);
    System.out.printf(
        "node: %d cores, memory %d/%d, nodefs %s %d/%d, conditions mem=%s disk=%s pid=%s%n",
        first.cpuCores(),
        first.memoryAvailableBytes(),
        first.memoryTotalBytes(),
        first.nodefs().mountPoint(),
        first.nodefs().availableBytes(),
        first.nodefs().capacityBytes(),
        pressure.memoryPressure(),
        pressure.diskPressure(),
        pressure.pidPressure());
  }
}
