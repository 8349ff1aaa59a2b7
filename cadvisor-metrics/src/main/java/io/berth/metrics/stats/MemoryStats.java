package io.berth.metrics.stats;

import java.util.OptionalLong;

/**
 * Memory figures of one cgroup, in bytes unless noted. Empty when the file or key is missing.
 *
 * @param usage v1 {@code memory.usage_in_bytes}; v2 {@code memory.current}
 * @param maxUsage v1 {@code memory.max_usage_in_bytes}; v2 {@code memory.peak} (kernel 5.19+)
 * @param workingSet usage minus inactive file pages (v1 {@code total_inactive_file}; v2 {@code
 *     inactive_file}), floored at 0, as cAdvisor computes it
 * @param rss v1 {@code total_rss}; v2 {@code anon}
 * @param cache v1 {@code total_cache}; v2 {@code file}
 * @param mappedFile v1 {@code total_mapped_file}; v2 {@code file_mapped}
 * @param swap v1 {@code total_swap}; v2 {@code memory.swap.current}
 * @param failcnt v1 {@code memory.failcnt}; v2 {@code memory.events max}
 * @param oomKills v1 {@code memory.oom_control oom_kill}; v2 {@code memory.events oom_kill}
 * @param pageFaults {@code (total_)pgfault} (a count, not bytes)
 * @param majorPageFaults {@code (total_)pgmajfault} (a count, not bytes)
 */
public record MemoryStats(
    OptionalLong usage,
    OptionalLong maxUsage,
    OptionalLong workingSet,
    OptionalLong rss,
    OptionalLong cache,
    OptionalLong mappedFile,
    OptionalLong swap,
    OptionalLong failcnt,
    OptionalLong oomKills,
    OptionalLong pageFaults,
    OptionalLong majorPageFaults) {

  /** Working set as cAdvisor defines it: usage − inactive file, never below zero. */
  public static OptionalLong workingSet(OptionalLong usage, OptionalLong inactiveFile) {
    if (usage.isEmpty()) {
      return OptionalLong.empty();
    }
    long inactive = inactiveFile.orElse(0);
    return OptionalLong.of(Math.max(0, usage.getAsLong() - inactive));
  }
}
