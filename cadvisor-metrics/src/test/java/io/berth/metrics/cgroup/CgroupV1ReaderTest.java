package io.berth.metrics.cgroup;

import static io.berth.metrics.Fixtures.C1;
import static io.berth.metrics.Fixtures.C2;
import static io.berth.metrics.Fixtures.POD_CGROUP;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.metrics.Fixtures;
import io.berth.metrics.MutableClock;
import io.berth.metrics.stats.CgroupStats;
import io.berth.metrics.stats.IoDeviceStats;
import io.berth.metrics.stats.Pressure;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Parses cgroup v1 files copied from a real cgroup of this machine (see README). */
class CgroupV1ReaderTest {
  private final MutableClock clock = new MutableClock(Fixtures.T0);
  private final CgroupV1Reader reader =
      CgroupV1Reader.ofRoot(Fixtures.resource("cgroup-fixtures/v1"), clock);

  @Test
  void readsContainerWithLimits() {
    CgroupStats s = reader.read(POD_CGROUP + "/" + C1).orElseThrow();

    assertThat(s.cgroupPath()).isEqualTo(POD_CGROUP + "/" + C1);
    assertThat(s.time()).isEqualTo(Fixtures.T0);
    assertThat(s.cpu().usageNanos()).hasValue(746_348_150L);
    assertThat(s.cpu().userNanos()).hasValue(630_000_000L); // 63 ticks at USER_HZ=100
    assertThat(s.cpu().systemNanos()).hasValue(110_000_000L);
    assertThat(s.cpu().periods()).hasValue(23);
    assertThat(s.cpu().throttledPeriods()).hasValue(13);
    assertThat(s.cpu().throttledNanos()).hasValue(804_659_127L);

    assertThat(s.memory().usage()).hasValue(516_096);
    assertThat(s.memory().maxUsage()).hasValue(42_827_776);
    assertThat(s.memory().workingSet()).hasValue(516_096); // total_inactive_file 0
    assertThat(s.memory().rss()).hasValue(53_248);
    assertThat(s.memory().cache()).hasValue(20_480);
    assertThat(s.memory().mappedFile()).hasValue(0);
    assertThat(s.memory().swap()).hasValue(0);
    assertThat(s.memory().failcnt()).hasValue(0);
    assertThat(s.memory().oomKills()).hasValue(0);
    assertThat(s.memory().pageFaults()).hasValue(10_972);
    assertThat(s.memory().majorPageFaults()).hasValue(1);

    assertThat(s.spec().cpuShares()).hasValue(512);
    assertThat(s.spec().cpuQuotaMicros()).hasValue(50_000);
    assertThat(s.spec().cpuPeriodMicros()).hasValue(100_000);
    assertThat(s.spec().memoryLimit()).hasValue(67_108_864);
    assertThat(s.spec().swapLimit()).isEmpty(); // 9223372036854771712 = unlimited

    assertThat(s.io()).containsExactly(new IoDeviceStats(254, 0, 4_325_376, 4_194_304, 76, 64));
    assertThat(s.processes().processes()).hasValue(1);
    assertThat(s.processes().threads()).hasValue(1);
    assertThat(s.processes().threadsMax()).hasValue(64);

    assertThat(s.pressure().cpuSome()).contains(new Pressure(0, 0, 0, 49));
    assertThat(s.pressure().cpuFull()).contains(new Pressure(0, 0, 0, 49));
    assertThat(s.pressure().ioSome()).contains(new Pressure(0, 0, 0, 0));
    assertThat(reader.mode()).isEqualTo(CgroupMode.HYBRID);
  }

  @Test
  void readsUnlimitedContainerWithoutPsiOrIo() {
    CgroupStats s = reader.read(POD_CGROUP + "/" + C2).orElseThrow();

    assertThat(s.cpu().usageNanos()).hasValue(164_452_290L);
    assertThat(s.spec().cpuQuotaMicros()).isEmpty(); // -1
    assertThat(s.spec().cpuShares()).hasValue(1024);
    assertThat(s.spec().memoryLimit()).isEmpty();
    assertThat(s.memory().usage()).hasValue(331_776);
    assertThat(s.memory().pageFaults()).hasValue(2_315);
    assertThat(s.io()).isEmpty(); // "Total 0" only
    assertThat(s.processes().processes()).hasValue(0);
    assertThat(s.processes().threadsMax()).hasValue(0); // "max"
    assertThat(s.pressure().present()).isFalse(); // no unified files copied for c2
  }

  @Test
  void readsPodCgroup() {
    CgroupStats s = reader.read(POD_CGROUP).orElseThrow();
    assertThat(s.cpu().usageNanos()).hasValue(910_800_440L);
    assertThat(s.memory().usage()).hasValue(868_352);
    assertThat(s.memory().maxUsage()).hasValue(43_089_920);
  }

  @Test
  void missingCgroupIsEmpty() {
    assertThat(reader.read("/kubepods/burstable/podgone/abc")).isEmpty();
  }

  @Test
  void missingFilesLeaveFieldsEmpty(@TempDir Path root) throws IOException {
    Path mem = Files.createDirectories(root.resolve("memory/x"));
    Files.writeString(mem.resolve("memory.usage_in_bytes"), "4096\n");
    Files.writeString(mem.resolve("memory.stat"), "total_inactive_file 1024\ngarbage\n");
    Files.writeString(mem.resolve("memory.failcnt"), "not-a-number\n");

    CgroupStats s = CgroupV1Reader.ofRoot(root, clock).read("/x").orElseThrow();

    assertThat(s.memory().usage()).hasValue(4096);
    assertThat(s.memory().workingSet()).hasValue(3072);
    assertThat(s.memory().failcnt()).isEmpty();
    assertThat(s.memory().rss()).isEmpty();
    assertThat(s.cpu().usageNanos()).isEmpty();
    assertThat(s.spec().cpuShares()).isEmpty();
    assertThat(s.io()).isEmpty();
    assertThat(s.processes().threads()).isEmpty();
    assertThat(s.pressure().present()).isFalse();
  }

  @Test
  void refusesEscapingPaths() {
    assertThatThrownBy(() -> reader.read("/kubepods/../../etc"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("/kubepods/../../etc");
  }

  @Test
  void workingSetNeverNegative() {
    assertThat(
            io.berth.metrics.stats.MemoryStats.workingSet(OptionalLong.of(10), OptionalLong.of(20)))
        .hasValue(0);
  }
}
