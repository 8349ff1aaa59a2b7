package io.berth.metrics.cgroup;

import io.berth.metrics.stats.CgroupStats;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;

/**
 * Reads the stats of one cgroup, given its path relative to the hierarchy root (the same string for
 * every v1 controller, e.g. {@code /kubepods/burstable/pod<uid>/<containerId>}).
 *
 * <p>Never throws for kernel-side trouble: a missing file leaves its fields empty; a cgroup that
 * does not exist, or vanishes while being read, yields {@link Optional#empty()} and a debug log.
 *
 * <p>Thread safety: implementations are immutable and may be called concurrently.
 */
public sealed interface CgroupReader permits CgroupV1Reader, CgroupV2Reader {

  /** Stats of the cgroup at {@code cgroupPath}, or empty if it does not exist (any more). */
  Optional<CgroupStats> read(String cgroupPath);

  /**
   * Called by the collector after each collection: releases what the reader kept for cgroups that
   * collection did not read (held files of vanished containers).
   */
  void endCollection();

  /** Which layout this reader serves. */
  CgroupMode mode();

  /** A reader for the mounts of this host, detected from {@code /proc/self/mountinfo}. */
  static CgroupReader detect(Clock clock) throws IOException {
    return detect(clock, OpenCgroupFiles.withDefaultLimit());
  }

  /**
   * {@link #detect(Clock)} keeping the per-scrape files of a v1/hybrid host open in {@code open}
   * (the caller closes it when it stops scraping).
   */
  static CgroupReader detect(Clock clock, OpenCgroupFiles open) throws IOException {
    return forMounts(CgroupMounts.detect(Path.of("/proc/self/mountinfo")), clock, open);
  }

  /** A reader for the given mounts: v1 readers for V1/HYBRID, v2 for UNIFIED. */
  static CgroupReader forMounts(CgroupMounts mounts, Clock clock) {
    return forMounts(mounts, clock, OpenCgroupFiles.withDefaultLimit());
  }

  /** {@link #forMounts(CgroupMounts, Clock)} holding v1 per-scrape files in {@code open}. */
  static CgroupReader forMounts(CgroupMounts mounts, Clock clock, OpenCgroupFiles open) {
    return switch (mounts.mode()) {
      case V1, HYBRID ->
          new CgroupV1Reader(
              mounts.v1Controllers(),
              mounts.unified(),
              clock,
              new CgroupSpecCache(clock, CgroupSpecCache.DEFAULT_MAX_AGE),
              open);
      case UNIFIED ->
          new CgroupV2Reader(
              mounts
                  .unified()
                  .orElseThrow(() -> new IllegalStateException("unified mode without a mount")),
              clock);
    };
  }

  /**
   * Resolves {@code cgroupPath} under {@code mount}, refusing paths that could escape it.
   *
   * @throws IllegalArgumentException for a path with {@code ..} segments
   */
  static Path resolve(Path mount, String cgroupPath) {
    String relative = cgroupPath.startsWith("/") ? cgroupPath.substring(1) : cgroupPath;
    for (String segment : relative.split("/")) {
      if (segment.equals("..")) {
        throw new IllegalArgumentException("cgroup path must not contain '..': " + cgroupPath);
      }
    }
    return relative.isEmpty() ? mount : mount.resolve(relative);
  }
}
