package io.berth.metrics.cgroup;

import static io.berth.metrics.Fixtures.C1;
import static io.berth.metrics.Fixtures.POD_CGROUP;
import static org.assertj.core.api.Assertions.assertThat;

import io.berth.metrics.Fixtures;
import io.berth.metrics.MutableClock;
import io.berth.metrics.stats.CgroupStats;
import io.berth.metrics.stats.IoDeviceStats;
import io.berth.metrics.stats.Pressure;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * Parses cgroup v2 files: cpu.stat, cgroup.procs and PSI copied from this machine's unified
 * hierarchy; memory/io/pids/cpu.max synthesized in kernel format (see SYNTHESIZED.md).
 */
class CgroupV2ReaderTest {
  private final CgroupV2Reader reader =
      new CgroupV2Reader(Fixtures.resource("cgroup-fixtures/v2"), new MutableClock(Fixtures.T0));

  @Test
  void readsUnifiedCgroup() {
    CgroupStats s = reader.read(POD_CGROUP + "/" + C1).orElseThrow();

    assertThat(s.cpu().usageNanos()).hasValue(53_126_000L);
    assertThat(s.cpu().userNanos()).hasValue(53_126_000L);
    assertThat(s.cpu().systemNanos()).hasValue(0);
    assertThat(s.cpu().periods()).isEmpty(); // cpu controller not delegated on this host
    assertThat(s.cpu().throttledNanos()).isEmpty();

    assertThat(s.memory().usage()).hasValue(33_554_432);
    assertThat(s.memory().maxUsage()).hasValue(41_943_040);
    assertThat(s.memory().workingSet()).hasValue(33_554_432 - 786_432);
    assertThat(s.memory().rss()).hasValue(31_653_888);
    assertThat(s.memory().cache()).hasValue(1_179_648);
    assertThat(s.memory().mappedFile()).hasValue(393_216);
    assertThat(s.memory().swap()).hasValue(0);
    assertThat(s.memory().failcnt()).hasValue(7);
    assertThat(s.memory().oomKills()).hasValue(1);
    assertThat(s.memory().pageFaults()).hasValue(8_470);
    assertThat(s.memory().majorPageFaults()).hasValue(3);

    assertThat(s.spec().cpuQuotaMicros()).hasValue(50_000);
    assertThat(s.spec().cpuPeriodMicros()).hasValue(100_000);
    assertThat(s.spec().cpuShares()).hasValue(500); // weight 20, lossy inverse of 512
    assertThat(s.spec().memoryLimit()).hasValue(67_108_864);
    assertThat(s.spec().swapLimit()).isEmpty(); // "max"

    assertThat(s.io())
        .containsExactly(
            new IoDeviceStats(8, 16, 1_048_576, 0, 16, 0),
            new IoDeviceStats(254, 0, 4_325_376, 4_194_304, 76, 64));
    assertThat(s.processes().processes()).hasValue(1);
    assertThat(s.processes().threads()).hasValue(1);
    assertThat(s.processes().threadsMax()).hasValue(64);
    assertThat(s.pressure().cpuSome()).contains(new Pressure(0, 0, 0, 49));
    assertThat(s.pressure().memoryFull()).contains(new Pressure(0, 0, 0, 0));
  }

  @Test
  void missingCgroupIsEmpty() {
    assertThat(reader.read(POD_CGROUP + "/gone")).isEmpty();
  }

  @Test
  void weightConversionMatchesRuncBounds() {
    assertThat(CgroupV2Reader.weightToShares(OptionalLong.of(1))).hasValue(2);
    assertThat(CgroupV2Reader.weightToShares(OptionalLong.of(10000))).hasValue(262144);
    assertThat(CgroupV2Reader.weightToShares(OptionalLong.of(100))).hasValue(2597);
  }
}
