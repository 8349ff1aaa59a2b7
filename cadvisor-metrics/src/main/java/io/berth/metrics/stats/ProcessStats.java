package io.berth.metrics.stats;

import java.util.OptionalLong;

/**
 * Task counts of one cgroup.
 *
 * @param processes lines of {@code cgroup.procs}
 * @param threads {@code pids.current} (tasks, i.e. threads)
 * @param threadsMax {@code pids.max}; 0 when "max" (cAdvisor's "infinity if zero")
 */
public record ProcessStats(OptionalLong processes, OptionalLong threads, OptionalLong threadsMax) {

  /** Nothing known. */
  public static final ProcessStats EMPTY =
      new ProcessStats(OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty());
}
