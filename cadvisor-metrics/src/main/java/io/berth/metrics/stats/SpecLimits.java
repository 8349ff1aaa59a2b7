package io.berth.metrics.stats;

import java.util.OptionalLong;

/**
 * Configured limits of one cgroup (cAdvisor's "spec").
 *
 * @param cpuShares v1 {@code cpu.shares}; v2 {@code cpu.weight} converted to shares
 * @param cpuQuotaMicros CFS quota in µs; empty when unlimited ({@code -1} / {@code max})
 * @param cpuPeriodMicros CFS period in µs
 * @param memoryLimit bytes; empty when unlimited (above 2^62, the kernel's "max" rounded)
 * @param swapLimit v1 {@code memory.memsw.limit_in_bytes} (memory+swap); v2 {@code
 *     memory.swap.max}; empty when unlimited
 */
public record SpecLimits(
    OptionalLong cpuShares,
    OptionalLong cpuQuotaMicros,
    OptionalLong cpuPeriodMicros,
    OptionalLong memoryLimit,
    OptionalLong swapLimit) {

  /** Values above this are "unlimited" (cAdvisor's maxMemorySize, 1 << 62). */
  public static final long UNLIMITED_THRESHOLD = 1L << 62;

  /** Empty when {@code value} means "no limit". */
  public static OptionalLong limitOrEmpty(OptionalLong value) {
    if (value.isEmpty() || value.getAsLong() < 0 || value.getAsLong() > UNLIMITED_THRESHOLD) {
      return OptionalLong.empty();
    }
    return value;
  }
}
