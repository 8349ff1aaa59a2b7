package io.berth.metrics.exposition;

import static io.berth.metrics.exposition.CadvisorFamilies.*;

import io.berth.metrics.ContainerSample;
import io.berth.metrics.PodSample;
import io.berth.metrics.StatsSnapshot;
import io.berth.metrics.stats.CgroupStats;
import io.berth.metrics.stats.InterfaceStats;
import io.berth.metrics.stats.IoDeviceStats;
import io.berth.metrics.stats.Pressure;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Renders {@code /metrics/cadvisor}: cAdvisor's names, help texts, types and the kubelet's label
 * set ({@code container}, {@code id}, {@code image}, {@code name}, {@code namespace}, {@code pod},
 * plus {@code cpu}, {@code device} or {@code interface} where cAdvisor has them).
 *
 * <p>One series set per container cgroup ({@code id} = its cgroup path, {@code name} = the CRI
 * container id) and one per pod cgroup ({@code container}, {@code image}, {@code name} empty), as
 * the kubelet's cAdvisor reports them. Network series belong to the pod entry, since all containers
 * of a pod share its network namespace. Stats samples carry the read time as their timestamp, like
 * cAdvisor; spec and start-time samples carry none.
 *
 * <p>Thread safety: stateless apart from the injected {@link DeviceNames}; safe to share.
 */
public final class CadvisorMetricsRenderer {
  private static final double NANOS = 1e9;
  private static final double MICROS = 1e6;

  private final DeviceNames devices;

  /**
   * @param devices resolves major:minor to the {@code device} label
   */
  public CadvisorMetricsRenderer(DeviceNames devices) {
    this.devices = devices;
  }

  /**
   * The exposition text for one snapshot. Entries are written in the order of their label text, so
   * each family's samples arrive sorted and {@link TextExposition}'s per-family sort is a check
   * (only the per-device families, whose {@code device} label sorts before {@code id}, may need a
   * real sort).
   */
  public String render(StatsSnapshot snapshot) {
    return new String(renderUtf8(snapshot), StandardCharsets.UTF_8);
  }

  /** {@link #render(StatsSnapshot)} as the UTF-8 bytes an HTTP answer carries. */
  public byte[] renderUtf8(StatsSnapshot snapshot) {
    TextExposition out = new TextExposition();
    out.add(SCRAPE_ERROR, "", snapshot.errors() ? 1 : 0, -1);
    List<Entry> entries = new ArrayList<>();
    for (PodSample pod : snapshot.pods()) {
      String ns = pod.pod().namespace();
      String podName = pod.pod().name();
      if (pod.stats().isPresent()) {
        entries.add(
            new Entry(
                pod.stats().get().cgroupPath(),
                "",
                "",
                "",
                ns,
                podName,
                pod.stats().get(),
                pod.pod().startTime(),
                pod.network()));
      }
      for (ContainerSample c : pod.containers()) {
        entries.add(
            new Entry(
                c.stats().cgroupPath(),
                c.container().name(),
                c.container().image(),
                c.container().id(),
                ns,
                podName,
                c.stats(),
                c.container().startTime(),
                List.of()));
      }
    }
    entries.sort(Comparator.comparing(e -> e.labels));
    for (Entry entry : entries) {
      entry.write(out, snapshot.time());
    }
    return out.renderUtf8();
  }

  /** The labels of one cAdvisor container entry. */
  private final class Entry {
    private final String[] base;
    private final String labels;
    private final CgroupStats stats;
    private final Instant start;
    private final List<InterfaceStats> network;

    Entry(
        String id,
        String container,
        String image,
        String name,
        String ns,
        String pod,
        CgroupStats stats,
        Instant start,
        List<InterfaceStats> network) {
      this.stats = stats;
      this.start = start;
      this.network = network;
      base =
          new String[] {
            "container",
            container,
            "id",
            id,
            "image",
            image,
            "name",
            name,
            "namespace",
            ns,
            "pod",
            pod
          };
      labels = Labels.of(base);
    }

    private String with(String extraName, String extraValue) {
      String[] all = java.util.Arrays.copyOf(base, base.length + 2);
      all[base.length] = extraName;
      all[base.length + 1] = extraValue;
      return Labels.of(all);
    }

    void write(TextExposition out, Instant now) {
      CgroupStats s = stats;
      long ts = s.time().toEpochMilli();
      for (InterfaceStats nif : network) {
        network(out, nif, ts);
      }
      out.add(LAST_SEEN, labels, now.getEpochSecond(), now.toEpochMilli());
      out.add(START_TIME, labels, start.getEpochSecond(), -1);

      var cpu = s.cpu();
      if (cpu.usageNanos().isPresent() && cpu.usageNanos().getAsLong() > 0) {
        out.add(CPU_USAGE, with("cpu", "total"), cpu.usageNanos().getAsLong() / NANOS, ts);
      }
      seconds(out, CPU_USER, cpu.userNanos(), ts);
      seconds(out, CPU_SYSTEM, cpu.systemNanos(), ts);
      if (s.spec().cpuQuotaMicros().isPresent()) {
        plain(out, CFS_PERIODS, cpu.periods(), ts);
        plain(out, CFS_THROTTLED_PERIODS, cpu.throttledPeriods(), ts);
        seconds(out, CFS_THROTTLED_SECONDS, cpu.throttledNanos(), ts);
      }

      var mem = s.memory();
      plain(out, MEMORY_CACHE, mem.cache(), ts);
      plain(out, MEMORY_RSS, mem.rss(), ts);
      plain(out, MEMORY_MAPPED_FILE, mem.mappedFile(), ts);
      plain(out, MEMORY_SWAP, mem.swap(), ts);
      plain(out, MEMORY_FAILCNT, mem.failcnt(), ts);
      plain(out, MEMORY_USAGE, mem.usage(), ts);
      plain(out, MEMORY_MAX_USAGE, mem.maxUsage(), ts);
      plain(out, MEMORY_WORKING_SET, mem.workingSet(), ts);
      plain(out, OOM_EVENTS, mem.oomKills(), ts);

      for (IoDeviceStats io : s.io()) {
        String device = with("device", devices.name(io.major(), io.minor()));
        out.add(FS_READS_BYTES, device, io.readBytes(), ts);
        out.add(FS_WRITES_BYTES, device, io.writeBytes(), ts);
        out.add(FS_READS, device, io.readOps(), ts);
        out.add(FS_WRITES, device, io.writeOps(), ts);
      }

      plain(out, PROCESSES, s.processes().processes(), ts);
      plain(out, THREADS, s.processes().threads(), ts);
      plain(out, THREADS_MAX, s.processes().threadsMax(), ts);

      var spec = s.spec();
      if (spec.cpuShares().isPresent()) {
        plain(out, SPEC_CPU_PERIOD, spec.cpuPeriodMicros(), -1);
        plain(out, SPEC_CPU_QUOTA, spec.cpuQuotaMicros(), -1);
        plain(out, SPEC_CPU_SHARES, spec.cpuShares(), -1);
      }
      if (mem.usage().isPresent()) {
        out.add(SPEC_MEMORY_LIMIT, labels, spec.memoryLimit().orElse(0), -1);
        out.add(SPEC_MEMORY_SWAP_LIMIT, labels, spec.swapLimit().orElse(0), -1);
      }

      var psi = s.pressure();
      psi(out, PSI_CPU_STALLED, psi.cpuFull(), ts);
      psi(out, PSI_CPU_WAITING, psi.cpuSome(), ts);
      psi(out, PSI_MEMORY_STALLED, psi.memoryFull(), ts);
      psi(out, PSI_MEMORY_WAITING, psi.memorySome(), ts);
      psi(out, PSI_IO_STALLED, psi.ioFull(), ts);
      psi(out, PSI_IO_WAITING, psi.ioSome(), ts);
    }

    void network(TextExposition out, InterfaceStats nif, long ts) {
      String l = with("interface", nif.name());
      out.add(NET_RX_BYTES, l, nif.rxBytes(), ts);
      out.add(NET_RX_PACKETS, l, nif.rxPackets(), ts);
      out.add(NET_RX_DROPPED, l, nif.rxDropped(), ts);
      out.add(NET_RX_ERRORS, l, nif.rxErrors(), ts);
      out.add(NET_TX_BYTES, l, nif.txBytes(), ts);
      out.add(NET_TX_PACKETS, l, nif.txPackets(), ts);
      out.add(NET_TX_DROPPED, l, nif.txDropped(), ts);
      out.add(NET_TX_ERRORS, l, nif.txErrors(), ts);
    }

    private void plain(TextExposition out, MetricFamily f, OptionalLong v, long ts) {
      if (v.isPresent()) {
        out.add(f, labels, v.getAsLong(), ts);
      }
    }

    private void seconds(TextExposition out, MetricFamily f, OptionalLong nanos, long ts) {
      if (nanos.isPresent()) {
        out.add(f, labels, nanos.getAsLong() / NANOS, ts);
      }
    }

    private void psi(TextExposition out, MetricFamily f, Optional<Pressure> p, long ts) {
      if (p.isPresent()) {
        out.add(f, labels, p.get().totalMicros() / MICROS, ts);
      }
    }
  }
}
