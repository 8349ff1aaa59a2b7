package io.berth.metrics;

import io.berth.metrics.stats.CgroupStats;
import io.berth.metrics.stats.InterfaceStats;
import io.berth.metrics.stats.IoDeviceStats;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Snapshots of many pods made from the v1 fixture pod's stats, copied under distinct names, ids and
 * cgroup paths: for rendering at scale without cgroupfs (timing, and a golden that covers sorting
 * across pods).
 */
public final class ManyPodSnapshots {
  private ManyPodSnapshots() {}

  /**
   * {@code pods} pods with {@code containers} containers each; with {@code variety}, containers get
   * names that share prefixes, two block devices in an order that differs per container, and pods
   * get two interfaces, so every sorting rule of the exposition is exercised.
   */
  public static StatsSnapshot of(int pods, int containers, boolean variety) {
    MutableClock clock = new MutableClock(Fixtures.T0);
    StatsSnapshot one =
        FixtureScrapes.v1(Fixtures.resource("cgroup-fixtures/v1"), clock).scrape().current();
    PodSample template = one.pods().get(0);
    CgroupStats containerStats = template.containers().get(0).stats();
    List<PodSample> samples = new ArrayList<>();
    for (int p = 0; p < pods; p++) {
      String uid =
          String.format(
              Locale.ROOT, "%08x-2b7d-4c1e-9a60-7d2e1b3c4f50", p * 2_654_435_761L % (1L << 32));
      String podCgroup = "/kubepods/besteffort/pod" + uid;
      List<ContainerRef> refs = new ArrayList<>();
      List<ContainerSample> cs = new ArrayList<>();
      for (int c = 0; c < containers; c++) {
        String id = String.format(Locale.ROOT, "%064x", (p * 7919L + c * 104_729L) % 1_000_003);
        String name = variety ? List.of("app", "ap", "app-2", "b").get(c % 4) : "app";
        ContainerRef ref =
            new ContainerRef(
                name,
                id,
                template.containers().get(0).container().image(),
                podCgroup + "/" + id,
                template.containers().get(0).container().startTime());
        refs.add(ref);
        CgroupStats stats = at(containerStats, ref.cgroupPath());
        if (variety) {
          stats = withDevices(stats, p + c);
        }
        cs.add(new ContainerSample(ref, stats));
      }
      PodRef pod =
          new PodRef(
              uid,
              "p" + p + "-bench",
              p % 3 == 0 ? "default" : "kube-system",
              podCgroup,
              template.pod().sandboxPid(),
              template.pod().startTime(),
              refs);
      List<InterfaceStats> network = new ArrayList<>(template.network());
      if (variety) {
        network.add(new InterfaceStats("eth1", 10L * p, p, 0, 0, 20L * p, 2L * p, 0, 1));
      }
      samples.add(new PodSample(pod, template.stats().map(s -> at(s, podCgroup)), cs, network));
    }
    return new StatsSnapshot(one.time(), one.node(), samples, false);
  }

  private static CgroupStats at(CgroupStats s, String path) {
    return new CgroupStats(
        path, s.time(), s.cpu(), s.memory(), s.io(), s.processes(), s.spec(), s.pressure());
  }

  /** Two devices; which comes first alternates, and their counters differ per container. */
  private static CgroupStats withDevices(CgroupStats s, int seed) {
    IoDeviceStats vda = new IoDeviceStats(254, 0, 4096L * seed, 512L * seed, seed, 2L * seed);
    IoDeviceStats sdb = new IoDeviceStats(8, 16, 1_048_576L * seed, 0, 3L * seed, 0);
    List<IoDeviceStats> io = seed % 2 == 0 ? List.of(vda, sdb) : List.of(sdb, vda);
    return new CgroupStats(
        s.cgroupPath(), s.time(), s.cpu(), s.memory(), io, s.processes(), s.spec(), s.pressure());
  }
}
