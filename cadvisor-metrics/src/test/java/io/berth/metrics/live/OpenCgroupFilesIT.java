package io.berth.metrics.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.berth.metrics.cgroup.CgroupMode;
import io.berth.metrics.cgroup.CgroupMounts;
import io.berth.metrics.cgroup.CgroupSpecCache;
import io.berth.metrics.cgroup.CgroupV1Reader;
import io.berth.metrics.cgroup.OpenCgroupFiles;
import io.berth.metrics.stats.CgroupStats;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Held cgroup files against the kernel (root, cgroup v1/hybrid): a descriptor kept open gives the
 * values of the moment it is read (seq_file regenerates on a read at offset 0), a held descriptor
 * does not stop the runtime from removing the cgroup, the removed cgroup reads empty and its files
 * are closed, and churn leaves no descriptors behind. Creates and removes its own cgroups only.
 */
class OpenCgroupFilesIT {
  private TestCgroups cgroups;
  private OpenCgroupFiles open;
  private CgroupV1Reader reader;

  @BeforeEach
  void setUp() throws IOException {
    assumeTrue(TestCgroups.available(), "needs root and writable cgroup v1 hierarchies");
    CgroupMounts mounts = CgroupMounts.detect(Path.of("/proc/self/mountinfo"));
    assumeTrue(mounts.mode() != CgroupMode.UNIFIED, "this IT creates v1 cgroups");
    Clock clock = Clock.systemUTC();
    open = new OpenCgroupFiles(10_000);
    reader =
        new CgroupV1Reader(
            mounts.v1Controllers(),
            mounts.unified(),
            clock,
            new CgroupSpecCache(clock, CgroupSpecCache.DEFAULT_MAX_AGE),
            open);
    cgroups = new TestCgroups("held");
    cgroups.create("");
  }

  @AfterEach
  void tearDown() throws Exception {
    if (open != null) {
      open.close();
    }
    if (cgroups != null) {
      cgroups.close();
    }
  }

  @Test
  void heldDescriptorsShowCurrentValues() throws Exception {
    String c1 = cgroups.create("c1");
    CgroupStats before = reader.read(c1).orElseThrow();
    int held = open.size();

    Process p = cgroups.start(c1, "read x"); // blocks on its stdin pipe
    cgroups.awaitMember(c1, p.pid());
    CgroupStats after = reader.read(c1).orElseThrow();

    assertThat(before.processes().processes()).hasValue(0);
    assertThat(after.processes().processes()).hasValue(1);
    assertThat(after.processes().threads()).hasValue(1);
    assertThat(held).as("held files of one cgroup").isBetween(11, 15);
    assertThat(open.size()).as("the second read reused them").isEqualTo(held);
  }

  @Test
  void removedCgroupReadsEmptyAndItsFilesAreClosed() throws Exception {
    String c1 = cgroups.create("c1");
    reader.read(c1).orElseThrow();
    reader.endCollection(); // one collection ends; the next finds the cgroup gone
    long withFiles = openDescriptors();
    assertThat(open.size()).isPositive();

    // what runc does when the container is removed: rmdir, while berth holds the files
    for (String controller : TestCgroups.CONTROLLERS) {
      Files.delete(TestCgroups.ROOT.resolve(controller).resolve(c1.substring(1)));
    }
    cgroups.unifiedMount().ifPresent(u -> deleteQuietly(u.resolve(c1.substring(1))));

    assertThat(reader.read(c1)).isEmpty();
    reader.endCollection();
    assertThat(open.size()).isZero();
    assertThat(openDescriptors()).isLessThan(withFiles);
  }

  @Test
  void churnLeavesNoDescriptorsBehind() throws Exception {
    String steady = cgroups.create("steady");
    reader.read(steady).orElseThrow();
    reader.endCollection();
    int steadyFiles = open.size();
    long baseline = openDescriptors();

    for (int i = 0; i < 30; i++) {
      String c = cgroups.create("churn" + i);
      reader.read(c).orElseThrow();
      reader.read(steady).orElseThrow();
      reader.endCollection();
      for (String controller : TestCgroups.CONTROLLERS) {
        Files.delete(TestCgroups.ROOT.resolve(controller).resolve(c.substring(1)));
      }
      cgroups.unifiedMount().ifPresent(u -> deleteQuietly(u.resolve(c.substring(1))));
    }
    reader.read(steady).orElseThrow();
    reader.endCollection();

    assertThat(open.size()).isEqualTo(steadyFiles);
    assertThat(openDescriptors()).isLessThanOrEqualTo(baseline + 10); // other threads' files
  }

  private static void deleteQuietly(Path dir) {
    try {
      Files.deleteIfExists(dir);
    } catch (IOException e) {
      throw new IllegalStateException("cannot remove test cgroup " + dir, e);
    }
  }

  private static long openDescriptors() throws IOException {
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      return fds.count();
    }
  }
}
