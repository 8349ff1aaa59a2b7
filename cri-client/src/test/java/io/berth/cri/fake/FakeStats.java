package io.berth.cri.fake;

import io.berth.cri.v1.ContainerAttributes;
import io.berth.cri.v1.ContainerStats;
import io.berth.cri.v1.CpuUsage;
import io.berth.cri.v1.FilesystemIdentifier;
import io.berth.cri.v1.FilesystemUsage;
import io.berth.cri.v1.LinuxPodSandboxStats;
import io.berth.cri.v1.MemoryUsage;
import io.berth.cri.v1.NetworkInterfaceUsage;
import io.berth.cri.v1.NetworkUsage;
import io.berth.cri.v1.ProcessUsage;
import io.berth.cri.v1.UInt64Value;

/**
 * The fixed numbers {@link FakeRuntimeService} reports as stats, so tests can predict them.
 * Container stats carry timestamp 1700000000.123456789 s, pod stats 1700000000 s.
 */
public final class FakeStats {
  public static final long CONTAINER_TIMESTAMP = 1_700_000_000_123_456_789L;
  public static final long SANDBOX_TIMESTAMP = 1_700_000_000_000_000_000L;

  private FakeStats() {}

  private static UInt64Value u64(long v) {
    return UInt64Value.newBuilder().setValue(v).build();
  }

  /** 5 s of CPU, 0.25 cores, 8 MiB working set, 10 MiB usage, 6 MiB RSS, 4 KiB writable layer. */
  public static ContainerStats container(String id) {
    return ContainerStats.newBuilder()
        .setAttributes(ContainerAttributes.newBuilder().setId(id))
        .setCpu(
            CpuUsage.newBuilder()
                .setTimestamp(CONTAINER_TIMESTAMP)
                .setUsageCoreNanoSeconds(u64(5_000_000_000L))
                .setUsageNanoCores(u64(250_000_000L)))
        .setMemory(
            MemoryUsage.newBuilder()
                .setTimestamp(CONTAINER_TIMESTAMP)
                .setWorkingSetBytes(u64(8 << 20))
                .setUsageBytes(u64(10 << 20))
                .setRssBytes(u64(6 << 20))
                .setPageFaults(u64(1234))
                .setMajorPageFaults(u64(5)))
        .setWritableLayer(
            FilesystemUsage.newBuilder()
                .setTimestamp(CONTAINER_TIMESTAMP)
                .setFsId(FilesystemIdentifier.newBuilder().setMountpoint("/var/lib/containerd"))
                .setUsedBytes(u64(4096))
                .setInodesUsed(u64(3)))
        .build();
  }

  /** 7 s of CPU, 16 MiB working set, eth0 rx 1000 / tx 2000 bytes, 3 processes. */
  public static LinuxPodSandboxStats sandboxLinux() {
    return LinuxPodSandboxStats.newBuilder()
        .setCpu(
            CpuUsage.newBuilder()
                .setTimestamp(SANDBOX_TIMESTAMP)
                .setUsageCoreNanoSeconds(u64(7_000_000_000L)))
        .setMemory(
            MemoryUsage.newBuilder()
                .setTimestamp(SANDBOX_TIMESTAMP)
                .setWorkingSetBytes(u64(16 << 20)))
        .setNetwork(
            NetworkUsage.newBuilder()
                .setTimestamp(SANDBOX_TIMESTAMP)
                .setDefaultInterface(
                    NetworkInterfaceUsage.newBuilder()
                        .setName("eth0")
                        .setRxBytes(u64(1000))
                        .setTxBytes(u64(2000))
                        .setRxErrors(u64(0))
                        .setTxErrors(u64(1))))
        .setProcess(
            ProcessUsage.newBuilder().setTimestamp(SANDBOX_TIMESTAMP).setProcessCount(u64(3)))
        .build();
  }
}
