package io.berth.cri.internal;

import static io.berth.cri.internal.CommonMapping.instant;
import static io.berth.cri.internal.CommonMapping.value;

import io.berth.cri.ContainerStats;
import io.berth.cri.ContainerStatsFilter;
import io.berth.cri.CpuUsage;
import io.berth.cri.FilesystemUsage;
import io.berth.cri.MemoryUsage;
import io.berth.cri.NetworkUsage;
import io.berth.cri.PodSandboxStats;
import io.berth.cri.PodSandboxStatsFilter;
import io.berth.cri.v1.NetworkInterfaceUsage;

/** Proto → record mapping for container and pod sandbox stats, and the stats filters. */
final class StatsMapping {
  private StatsMapping() {}

  static ContainerStats containerStats(io.berth.cri.v1.ContainerStats s) {
    var a = s.getAttributes();
    return new ContainerStats(
        a.getId(),
        CommonMapping.fromProto(a.getMetadata()),
        a.getLabelsMap(),
        a.getAnnotationsMap(),
        s.hasCpu() ? fromProto(s.getCpu()) : null,
        s.hasMemory() ? fromProto(s.getMemory()) : null,
        s.hasWritableLayer() ? filesystem(s.getWritableLayer()) : null);
  }

  static PodSandboxStats podSandboxStats(io.berth.cri.v1.PodSandboxStats s) {
    var a = s.getAttributes();
    var l = s.getLinux();
    return new PodSandboxStats(
        a.getId(),
        CommonMapping.fromProto(a.getMetadata()),
        a.getLabelsMap(),
        a.getAnnotationsMap(),
        l.hasCpu() ? fromProto(l.getCpu()) : null,
        l.hasMemory() ? fromProto(l.getMemory()) : null,
        l.hasNetwork() ? fromProto(l.getNetwork()) : null,
        l.hasProcess()
            ? value(l.getProcess().hasProcessCount(), l.getProcess().getProcessCount())
            : null,
        l.getContainersList().stream().map(StatsMapping::containerStats).toList());
  }

  static CpuUsage fromProto(io.berth.cri.v1.CpuUsage c) {
    return new CpuUsage(
        instant(c.getTimestamp()),
        value(c.hasUsageCoreNanoSeconds(), c.getUsageCoreNanoSeconds()),
        value(c.hasUsageNanoCores(), c.getUsageNanoCores()));
  }

  static MemoryUsage fromProto(io.berth.cri.v1.MemoryUsage m) {
    return new MemoryUsage(
        instant(m.getTimestamp()),
        value(m.hasWorkingSetBytes(), m.getWorkingSetBytes()),
        value(m.hasAvailableBytes(), m.getAvailableBytes()),
        value(m.hasUsageBytes(), m.getUsageBytes()),
        value(m.hasRssBytes(), m.getRssBytes()),
        value(m.hasPageFaults(), m.getPageFaults()),
        value(m.hasMajorPageFaults(), m.getMajorPageFaults()));
  }

  static FilesystemUsage filesystem(io.berth.cri.v1.FilesystemUsage f) {
    return new FilesystemUsage(
        instant(f.getTimestamp()),
        f.getFsId().getMountpoint(),
        value(f.hasUsedBytes(), f.getUsedBytes()),
        value(f.hasInodesUsed(), f.getInodesUsed()));
  }

  static NetworkUsage fromProto(io.berth.cri.v1.NetworkUsage n) {
    return new NetworkUsage(
        instant(n.getTimestamp()),
        n.hasDefaultInterface() ? networkInterface(n.getDefaultInterface()) : null,
        n.getInterfacesList().stream().map(StatsMapping::networkInterface).toList());
  }

  static NetworkUsage.InterfaceUsage networkInterface(NetworkInterfaceUsage i) {
    return new NetworkUsage.InterfaceUsage(
        i.getName(),
        value(i.hasRxBytes(), i.getRxBytes()),
        value(i.hasRxErrors(), i.getRxErrors()),
        value(i.hasTxBytes(), i.getTxBytes()),
        value(i.hasTxErrors(), i.getTxErrors()));
  }

  static io.berth.cri.v1.ContainerStatsFilter toProto(ContainerStatsFilter f) {
    return io.berth.cri.v1.ContainerStatsFilter.newBuilder()
        .setId(f.id())
        .setPodSandboxId(f.podSandboxId())
        .putAllLabelSelector(f.labelSelector())
        .build();
  }

  static io.berth.cri.v1.PodSandboxStatsFilter toProto(PodSandboxStatsFilter f) {
    return io.berth.cri.v1.PodSandboxStatsFilter.newBuilder()
        .setId(f.id())
        .putAllLabelSelector(f.labelSelector())
        .build();
  }
}
