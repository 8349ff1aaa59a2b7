package io.berth.metrics.stats;

import java.time.Instant;
import java.util.List;

/**
 * Everything read from one cgroup at one instant.
 *
 * @param cgroupPath the cgroup path relative to the hierarchy root, e.g. {@code
 *     /kubepods/burstable/pod<uid>/<id>}
 * @param time when the files were read
 * @param cpu CPU counters
 * @param memory memory figures
 * @param io block I/O per device, sorted by major:minor
 * @param processes task counts
 * @param spec configured limits
 * @param pressure PSI where present
 */
public record CgroupStats(
    String cgroupPath,
    Instant time,
    CpuStats cpu,
    MemoryStats memory,
    List<IoDeviceStats> io,
    ProcessStats processes,
    SpecLimits spec,
    PressureStats pressure) {

  public CgroupStats {
    io = List.copyOf(io);
  }
}
