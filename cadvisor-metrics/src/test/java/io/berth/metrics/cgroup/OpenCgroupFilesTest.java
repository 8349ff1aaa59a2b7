package io.berth.metrics.cgroup;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.metrics.Fixtures;
import io.berth.metrics.MutableClock;
import io.berth.metrics.stats.CgroupStats;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lifecycle of held cgroup files on a fixture tree: what is kept, re-read, closed and bounded.
 * (Regular files stand in for cgroupfs here; {@code OpenCgroupFilesIT} checks the kernel's side:
 * fresh values through a held descriptor, and a removed cgroup.)
 */
class OpenCgroupFilesTest {
  private static final String POD = "/kubepods/besteffort/pod1234";

  private final MutableClock clock = new MutableClock(Fixtures.T0);
  private final OpenCgroupFiles open = new OpenCgroupFiles(1_000);

  @TempDir Path root;

  @AfterEach
  void closeAll() {
    open.close();
  }

  @Test
  void keepsFilesOpenAndReadsCurrentValuesThroughThem() throws IOException {
    container("c1", 4096);
    CgroupV1Reader reader = reader();

    assertThat(reader.read(POD + "/c1").orElseThrow().memory().usage()).hasValue(4096);
    int held = open.size();
    write("memory", "c1", "memory.usage_in_bytes", 8192); // same file, new content
    CgroupStats again = reader.read(POD + "/c1").orElseThrow();

    assertThat(again.memory().usage()).hasValue(8192);
    assertThat(held).as("files of c1 present in the fixture and read every scrape").isEqualTo(3);
    assertThat(open.size()).isEqualTo(held);
  }

  @Test
  void replacedContainerIsReadFromItsNewCgroupAndTheOldFilesAreClosed() throws IOException {
    container("old", 1000);
    CgroupV1Reader reader = reader();
    reader.read(POD + "/old");
    reader.endCollection();

    // the runtime replaces the container: new id, new cgroup; the old one is removed
    container("new", 2000);
    delete("old");
    CgroupStats s = reader.read(POD + "/new").orElseThrow();
    reader.endCollection();

    assertThat(s.memory().usage()).hasValue(2000);
    assertThat(open.size()).as("only the new container's files stay open").isEqualTo(3);
    assertThat(reader.read(POD + "/old")).as("a removed cgroup reads empty").isEmpty();
  }

  @Test
  void sweepClosesWhatTheLastCollectionDidNotRead() throws IOException {
    container("a", 1);
    container("b", 2);
    CgroupV1Reader reader = reader();
    reader.read(POD + "/a");
    reader.read(POD + "/b");
    reader.endCollection();
    assertThat(open.size()).isEqualTo(6);

    reader.read(POD + "/a"); // b's pod went away: the inventory no longer lists it
    reader.endCollection();

    assertThat(open.size()).isEqualTo(3);
  }

  @Test
  void noDescriptorLeakAfterManyScrapesWithChurn() throws IOException {
    CgroupV1Reader reader = reader();
    container("c0", 0);
    reader.read(POD + "/c0");
    reader.endCollection();
    long baseline = openDescriptors();

    for (int i = 1; i <= 200; i++) {
      container("c" + i, i);
      assertThat(reader.read(POD + "/c" + i).orElseThrow().memory().usage()).hasValue(i);
      reader.read(POD + "/c0");
      reader.endCollection();
      delete("c" + i);
    }

    assertThat(open.size()).as("c0 and the last container").isEqualTo(6);
    // one container's files more than after the first scrape; other threads may open a few
    assertThat(openDescriptors()).isLessThanOrEqualTo(baseline + 3 + 10);
    open.close();
    assertThat(open.size()).isZero();
  }

  @Test
  void pastTheLimitFilesAreReadOneShot() throws IOException {
    container("c1", 4096);
    OpenCgroupFiles two = new OpenCgroupFiles(2);
    CgroupV1Reader reader =
        CgroupV1Reader.ofRoot(root, clock, new CgroupSpecCache(clock, Duration.ZERO), two);

    CgroupStats s = reader.read(POD + "/c1").orElseThrow();

    assertThat(s.memory().usage()).hasValue(4096);
    assertThat(s.cpu().usageNanos()).hasValue(1_000);
    assertThat(s.memory().failcnt()).hasValue(0);
    assertThat(two.size()).isEqualTo(2);
    two.close();
  }

  @Test
  void missingFilesAreNotHeldAndACloseUnderTheReaderIsSurvived() throws IOException {
    container("c1", 4096);
    Path usage = root.resolve("memory" + POD + "/c1/memory.usage_in_bytes");

    assertThat(open.read(root.resolve("memory" + POD + "/c1/no.such.file"))).isEmpty();
    assertThat(open.read(usage)).hasValue("4096\n");
    open.close(); // e.g. a sweep racing a reader of another collector
    assertThat(open.read(usage)).hasValue("4096\n");
    assertThat(open.size()).isEqualTo(1);
  }

  @Test
  void filesLargerThanTheBufferAreReadWhole() throws IOException {
    container("c1", 1);
    Path procs = dir("pids", "c1").resolve("cgroup.procs");
    StringBuilder pids = new StringBuilder();
    for (int pid = 100_000; pid < 110_000; pid++) {
      pids.append(pid).append('\n'); // 70 KB, several buffers
    }
    Files.writeString(procs, pids);

    assertThat(reader().read(POD + "/c1").orElseThrow().processes().processes()).hasValue(10_000);
    assertThat(open.read(procs)).hasValue(pids.toString());
  }

  private CgroupV1Reader reader() {
    return CgroupV1Reader.ofRoot(
        root, clock, new CgroupSpecCache(clock, CgroupSpecCache.DEFAULT_MAX_AGE), open);
  }

  /** A cgroup with usage, cpuacct.usage and failcnt in the per-scrape set, limits in the static. */
  private void container(String id, long usage) throws IOException {
    write("memory", id, "memory.usage_in_bytes", usage);
    write("memory", id, "memory.failcnt", 0);
    write("memory", id, "memory.limit_in_bytes", 64 << 20);
    write("cpuacct", id, "cpuacct.usage", 1_000);
  }

  private void write(String controller, String id, String file, long value) throws IOException {
    Files.writeString(dir(controller, id).resolve(file), value + "\n");
  }

  private Path dir(String controller, String id) throws IOException {
    return Files.createDirectories(root.resolve(controller + POD + "/" + id));
  }

  private void delete(String id) throws IOException {
    for (String controller : new String[] {"memory", "cpuacct", "pids"}) {
      Path dir = root.resolve(controller + POD + "/" + id);
      if (Files.exists(dir)) {
        try (Stream<Path> walk = Files.walk(dir)) {
          for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
            Files.delete(p);
          }
        }
      }
    }
  }

  private static long openDescriptors() throws IOException {
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      return fds.count();
    }
  }
}
