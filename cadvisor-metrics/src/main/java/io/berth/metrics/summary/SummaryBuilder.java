package io.berth.metrics.summary;

import io.berth.metrics.ContainerSample;
import io.berth.metrics.PodSample;
import io.berth.metrics.Scrape;
import io.berth.metrics.StatsSnapshot;
import io.berth.metrics.node.FilesystemStats;
import io.berth.metrics.node.NodeStats;
import io.berth.metrics.stats.CgroupStats;
import io.berth.metrics.stats.InterfaceStats;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Builds the {@link Summary} from a {@link Scrape}. {@code usageNanoCores} is the CPU rate between
 * the previous collection and the current one, per cgroup path (and for the node); it is left out
 * when there is no earlier sample of the same cgroup.
 *
 * <p>Not filled (berth reads no CRI filesystem stats here): container {@code rootfs}/{@code logs},
 * pod {@code volume}/{@code ephemeral-storage}, {@code systemContainers}. {@code runtime.imageFs}
 * is the nodefs, which is right when images live on the kubelet's filesystem.
 *
 * <p>Thread safety: stateless; safe to share.
 */
public final class SummaryBuilder {
  private final String nodeName;

  /**
   * @param nodeName the node's name as registered
   */
  public SummaryBuilder(String nodeName) {
    this.nodeName = nodeName;
  }

  /** The summary of {@code scrape}. */
  public Summary build(Scrape scrape) {
    StatsSnapshot now = scrape.current();
    Map<String, CgroupStats> before = new HashMap<>();
    scrape.previous().ifPresent(prev -> index(prev, before));
    List<Summary.Pod> pods = new ArrayList<>(now.pods().size());
    for (PodSample pod : now.pods()) {
      pods.add(pod(pod, before));
    }
    Summary.Node node =
        now.node()
            .map(n -> node(n, scrape.previous().flatMap(StatsSnapshot::node).orElse(null)))
            .orElse(new Summary.Node(nodeName, null, null, null, null, null, null, null, null));
    return new Summary(node, pods);
  }

  private static void index(StatsSnapshot snapshot, Map<String, CgroupStats> out) {
    for (PodSample pod : snapshot.pods()) {
      pod.stats().ifPresent(s -> out.put(s.cgroupPath(), s));
      for (ContainerSample c : pod.containers()) {
        out.put(c.stats().cgroupPath(), c.stats());
      }
    }
  }

  private Summary.Node node(NodeStats n, NodeStats previous) {
    Long nanoCores =
        previous == null
            ? null
            : rate(previous.cpuUsageNanos(), previous.time(), n.cpuUsageNanos(), n.time());
    Summary.Fs nodefs = fs(n.nodefs(), n.time());
    return new Summary.Node(
        nodeName,
        null,
        n.bootTime(),
        new Summary.Cpu(n.time(), nanoCores, n.cpuUsageNanos()),
        new Summary.Memory(
            n.time(),
            Math.max(0, n.memoryTotalBytes() - n.memoryWorkingSetBytes()),
            n.memoryWorkingSetBytes(),
            n.memoryWorkingSetBytes(),
            null,
            null,
            null),
        network(n.network(), n.time()),
        nodefs,
        new Summary.Runtime(nodefs, null),
        new Summary.Rlimit(n.time(), n.maxPid(), n.currentProcesses()));
  }

  private Summary.Pod pod(PodSample pod, Map<String, CgroupStats> before) {
    List<Summary.Container> containers = new ArrayList<>(pod.containers().size());
    long processes = 0;
    boolean anyProcesses = false;
    for (ContainerSample c : pod.containers()) {
      containers.add(
          new Summary.Container(
              c.container().name(),
              c.container().startTime(),
              cpu(c.stats(), before),
              memory(c.stats()),
              null,
              null));
      OptionalLong count = c.stats().processes().processes();
      if (count.isPresent()) {
        processes += count.getAsLong();
        anyProcesses = true;
      }
    }
    CgroupStats podStats = pod.stats().orElse(null);
    return new Summary.Pod(
        new Summary.PodReference(pod.pod().name(), pod.pod().namespace(), pod.pod().uid()),
        pod.pod().startTime(),
        containers,
        podStats == null ? null : cpu(podStats, before),
        podStats == null ? null : memory(podStats),
        pod.network().isEmpty() || podStats == null
            ? null
            : network(pod.network(), podStats.time()),
        null,
        null,
        anyProcesses ? new Summary.ProcessStats(processes) : null);
  }

  private static Summary.Cpu cpu(CgroupStats s, Map<String, CgroupStats> before) {
    OptionalLong usage = s.cpu().usageNanos();
    if (usage.isEmpty()) {
      return null;
    }
    CgroupStats prev = before.get(s.cgroupPath());
    Long nanoCores = null;
    if (prev != null && prev.cpu().usageNanos().isPresent()) {
      nanoCores =
          rate(prev.cpu().usageNanos().getAsLong(), prev.time(), usage.getAsLong(), s.time());
    }
    return new Summary.Cpu(s.time(), nanoCores, usage.getAsLong());
  }

  /** CPU nanoseconds per second of wall time, i.e. nano-cores; null if not computable. */
  static Long rate(long usageBefore, Instant before, long usageNow, Instant now) {
    long wallNanos = Duration.between(before, now).toNanos();
    long used = usageNow - usageBefore;
    if (wallNanos <= 0 || used < 0) {
      return null;
    }
    return (long) ((double) used / wallNanos * 1e9);
  }

  private static Summary.Memory memory(CgroupStats s) {
    var m = s.memory();
    Long available = null;
    if (s.spec().memoryLimit().isPresent() && m.workingSet().isPresent()) {
      available = Math.max(0, s.spec().memoryLimit().getAsLong() - m.workingSet().getAsLong());
    }
    return new Summary.Memory(
        s.time(),
        available,
        boxed(m.usage()),
        boxed(m.workingSet()),
        boxed(m.rss()),
        boxed(m.pageFaults()),
        boxed(m.majorPageFaults()));
  }

  private static Summary.Network network(List<InterfaceStats> interfaces, Instant time) {
    if (interfaces.isEmpty()) {
      return null;
    }
    InterfaceStats primary =
        interfaces.stream()
            .filter(i -> i.name().equals("eth0"))
            .findFirst()
            .orElse(interfaces.get(0));
    List<Summary.Interface> all = new ArrayList<>(interfaces.size());
    for (InterfaceStats i : interfaces) {
      all.add(
          new Summary.Interface(i.name(), i.rxBytes(), i.rxErrors(), i.txBytes(), i.txErrors()));
    }
    return new Summary.Network(
        time,
        primary.name(),
        primary.rxBytes(),
        primary.rxErrors(),
        primary.txBytes(),
        primary.txErrors(),
        all);
  }

  private static Summary.Fs fs(FilesystemStats f, Instant time) {
    return new Summary.Fs(
        time,
        f.availableBytes(),
        f.capacityBytes(),
        f.usedBytes(),
        f.inodesFree(),
        f.inodes(),
        f.inodesUsed());
  }

  private static Long boxed(OptionalLong v) {
    return v.isPresent() ? v.getAsLong() : null;
  }
}
