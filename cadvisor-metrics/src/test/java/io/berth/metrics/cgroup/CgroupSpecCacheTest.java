package io.berth.metrics.cgroup;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.metrics.Fixtures;
import io.berth.metrics.MutableClock;
import io.berth.metrics.stats.CgroupStats;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The v1 reader keeps limits per cgroup path: what is reused, and when it is read again. */
class CgroupSpecCacheTest {
  private static final String POD = "/kubepods/burstable/pod1234";

  private final MutableClock clock = new MutableClock(Fixtures.T0);
  private final CgroupSpecCache cache = new CgroupSpecCache(clock, Duration.ofSeconds(60));

  @TempDir Path root;

  @Test
  void limitsAreReadOncePerContainerWhileUsageIsReadEveryTime() throws IOException {
    container("c1", 64 << 20, 50_000, 4096);
    CgroupV1Reader reader = CgroupV1Reader.ofRoot(root, clock, cache);
    assertThat(reader.read(POD + "/c1").orElseThrow().spec().memoryLimit()).hasValue(64 << 20);

    // an in-place change inside the cache's age is not seen; usage is
    write("memory", "c1", "memory.limit_in_bytes", 128 << 20);
    write("memory", "c1", "memory.usage_in_bytes", 8192);
    clock.advance(Duration.ofSeconds(59));
    CgroupStats s = reader.read(POD + "/c1").orElseThrow();

    assertThat(s.spec().memoryLimit()).hasValue(64 << 20);
    assertThat(s.memory().usage()).hasValue(8192);
    assertThat(cache.size()).isEqualTo(1);
  }

  @Test
  void replacedContainerShowsItsNewLimits() throws IOException {
    container("old", 64 << 20, 50_000, 4096);
    CgroupV1Reader reader = CgroupV1Reader.ofRoot(root, clock, cache);
    assertThat(reader.read(POD + "/old").orElseThrow().spec().cpuQuotaMicros()).hasValue(50_000);

    // the runtime replaces the container: new id, new cgroup, other limits, one second later
    container("new", 32 << 20, 20_000, 4096);
    clock.advance(Duration.ofSeconds(1));
    CgroupStats s = reader.read(POD + "/new").orElseThrow();

    assertThat(s.spec().memoryLimit()).hasValue(32 << 20);
    assertThat(s.spec().cpuQuotaMicros()).hasValue(20_000);
    assertThat(s.cpu().periods()).hasValue(7); // cpu.stat read since a quota is set
  }

  @Test
  void oldEntriesAreReadAgainAndDropped() throws IOException {
    container("c1", 64 << 20, 50_000, 4096);
    container("gone", 64 << 20, -1, 4096);
    CgroupV1Reader reader = CgroupV1Reader.ofRoot(root, clock, cache);
    reader.read(POD + "/c1");
    reader.read(POD + "/gone");
    write("memory", "c1", "memory.limit_in_bytes", 128 << 20);

    clock.advance(Duration.ofSeconds(60));
    CgroupStats s = reader.read(POD + "/c1").orElseThrow();
    container("c2", 1 << 20, -1, 4096);
    reader.read(POD + "/c2");

    assertThat(s.spec().memoryLimit()).hasValue(128 << 20);
    assertThat(cache.size()).as("'gone' was not read for 60 s").isEqualTo(2);
  }

  @Test
  void withoutQuotaTheCfsCountersAreNotRead() throws IOException {
    container("c1", 64 << 20, -1, 4096);
    CgroupStats s = CgroupV1Reader.ofRoot(root, clock, cache).read(POD + "/c1").orElseThrow();

    assertThat(s.spec().cpuQuotaMicros()).isEmpty();
    assertThat(s.cpu().periods()).isEmpty();
    assertThat(s.cpu().usageNanos()).hasValue(1_000);
  }

  @Test
  void zeroMaxAgeReadsEveryTime() throws IOException {
    container("c1", 64 << 20, 50_000, 4096);
    CgroupV1Reader reader =
        CgroupV1Reader.ofRoot(root, clock, new CgroupSpecCache(clock, Duration.ZERO));
    reader.read(POD + "/c1");
    write("memory", "c1", "memory.limit_in_bytes", 128 << 20);

    assertThat(reader.read(POD + "/c1").orElseThrow().spec().memoryLimit()).hasValue(128 << 20);
  }

  private void container(String id, long memoryLimit, long quota, long usage) throws IOException {
    write("memory", id, "memory.limit_in_bytes", memoryLimit);
    write("memory", id, "memory.usage_in_bytes", usage);
    write("cpu", id, "cpu.cfs_quota_us", quota);
    write("cpu", id, "cpu.cfs_period_us", 100_000);
    write("cpu", id, "cpu.shares", 1024);
    Files.writeString(
        dir("cpu", id).resolve("cpu.stat"), "nr_periods 7\nnr_throttled 2\nthrottled_time 300\n");
    write("cpuacct", id, "cpuacct.usage", 1_000);
  }

  private void write(String controller, String id, String file, long value) throws IOException {
    Files.writeString(dir(controller, id).resolve(file), value + "\n");
  }

  private Path dir(String controller, String id) throws IOException {
    return Files.createDirectories(root.resolve(controller + POD + "/" + id));
  }
}
