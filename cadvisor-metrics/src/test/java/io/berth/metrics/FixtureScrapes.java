package io.berth.metrics;

import io.berth.metrics.cgroup.CgroupReader;
import io.berth.metrics.cgroup.CgroupV1Reader;
import io.berth.metrics.cgroup.CgroupV2Reader;
import io.berth.metrics.procfs.NetDevReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** Collectors over the fixture trees with a hand-moved clock. */
public final class FixtureScrapes {
  private FixtureScrapes() {}

  public static StatsCollector v1(Path root, MutableClock clock) {
    return collector(CgroupV1Reader.ofRoot(root, clock), clock);
  }

  public static StatsCollector v2(Path root, MutableClock clock) {
    return collector(new CgroupV2Reader(root, clock), clock);
  }

  private static StatsCollector collector(CgroupReader reader, MutableClock clock) {
    long[] nodeCpu = {254_050_927_655L};
    return new StatsCollector(
        reader,
        new NetDevReader(Fixtures.resource("proc-fixtures")),
        () -> {
          nodeCpu[0] += 3_000_000_000L; // 3 core-seconds per collection
          return Fixtures.node(clock.instant(), nodeCpu[0]);
        },
        () -> List.of(Fixtures.pod()),
        clock,
        Duration.ofSeconds(1));
  }
}
