package io.berth.cri;

import java.util.Map;

/**
 * Linux cgroup resources of a container; 0 / empty means "not specified", as in CRI.
 *
 * @param hugepageLimits page size (e.g. {@code "2MB"}) to limit in bytes
 * @param unified cgroup v2 files to values (e.g. {@code "memory.high"})
 */
public record LinuxContainerResources(
    long cpuPeriod,
    long cpuQuota,
    long cpuShares,
    long memoryLimitInBytes,
    long oomScoreAdj,
    String cpusetCpus,
    String cpusetMems,
    Map<String, Long> hugepageLimits,
    Map<String, String> unified,
    long memorySwapLimitInBytes) {
  public LinuxContainerResources {
    cpusetCpus = Copies.str(cpusetCpus);
    cpusetMems = Copies.str(cpusetMems);
    hugepageLimits = Copies.map(hugepageLimits);
    unified = Copies.map(unified);
  }

  /** CPU period/quota/shares and memory limit, the usual quartet; the rest unset. */
  public static LinuxContainerResources of(
      long cpuPeriod, long cpuQuota, long cpuShares, long memoryLimitInBytes) {
    return new LinuxContainerResources(
        cpuPeriod, cpuQuota, cpuShares, memoryLimitInBytes, 0, "", "", Map.of(), Map.of(), 0);
  }

  public LinuxContainerResources withOomScoreAdj(long value) {
    return new LinuxContainerResources(
        cpuPeriod,
        cpuQuota,
        cpuShares,
        memoryLimitInBytes,
        value,
        cpusetCpus,
        cpusetMems,
        hugepageLimits,
        unified,
        memorySwapLimitInBytes);
  }

  public LinuxContainerResources withCpuset(String cpus, String mems) {
    return new LinuxContainerResources(
        cpuPeriod,
        cpuQuota,
        cpuShares,
        memoryLimitInBytes,
        oomScoreAdj,
        cpus,
        mems,
        hugepageLimits,
        unified,
        memorySwapLimitInBytes);
  }

  public LinuxContainerResources withHugepageLimits(Map<String, Long> limits) {
    return new LinuxContainerResources(
        cpuPeriod,
        cpuQuota,
        cpuShares,
        memoryLimitInBytes,
        oomScoreAdj,
        cpusetCpus,
        cpusetMems,
        limits,
        unified,
        memorySwapLimitInBytes);
  }
}
