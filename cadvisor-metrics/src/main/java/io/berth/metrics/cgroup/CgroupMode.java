package io.berth.metrics.cgroup;

/** How the cgroup hierarchies of this host are mounted. */
public enum CgroupMode {
  /** Only cgroup v1 hierarchies. */
  V1,
  /**
   * cgroup v1 controllers plus a cgroup2 mount (usually {@code /sys/fs/cgroup/unified}) that holds
   * no controllers but still provides PSI files and {@code cgroup.events}.
   */
  HYBRID,
  /** Only cgroup2 ({@code /sys/fs/cgroup} is the unified hierarchy). */
  UNIFIED
}
