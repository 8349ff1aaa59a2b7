package io.berth.metrics.stats;

import java.util.OptionalLong;

/**
 * Cumulative CPU counters of one cgroup. Every field is empty when its file or key is missing (e.g.
 * no {@code cpu} controller in a cgroup v2 subtree).
 *
 * @param usageNanos total CPU time (v1 {@code cpuacct.usage}; v2 {@code cpu.stat usage_usec})
 * @param userNanos user CPU time (v1 {@code cpuacct.stat user} in USER_HZ ticks; v2 {@code
 *     user_usec})
 * @param systemNanos system CPU time
 * @param periods elapsed CFS enforcement periods ({@code nr_periods})
 * @param throttledPeriods throttled CFS periods ({@code nr_throttled})
 * @param throttledNanos total throttled time (v1 {@code throttled_time} ns; v2 {@code
 *     throttled_usec})
 */
public record CpuStats(
    OptionalLong usageNanos,
    OptionalLong userNanos,
    OptionalLong systemNanos,
    OptionalLong periods,
    OptionalLong throttledPeriods,
    OptionalLong throttledNanos) {

  /** No CPU data at all. */
  public static final CpuStats EMPTY =
      new CpuStats(
          OptionalLong.empty(),
          OptionalLong.empty(),
          OptionalLong.empty(),
          OptionalLong.empty(),
          OptionalLong.empty(),
          OptionalLong.empty());
}
