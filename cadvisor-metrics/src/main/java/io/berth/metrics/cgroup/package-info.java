/**
 * cgroup readers. {@link io.berth.metrics.cgroup.CgroupMounts} detects the layout (v1, hybrid,
 * unified) from {@code /proc/self/mountinfo}; {@link io.berth.metrics.cgroup.CgroupReader} reads
 * one cgroup by path into a {@link io.berth.metrics.stats.CgroupStats}. Roots are injected
 * directories, so tests read fixture trees copied from real hosts.
 *
 * <pre>
 *   mountinfo ─▶ CgroupMounts ─▶ CgroupReader (sealed)
 *                                  ├─ CgroupV1Reader  cpu/ cpuacct/ memory/ blkio/ pids/ (+ unified/ PSI)
 *                                  └─ CgroupV2Reader  one directory per cgroup
 * </pre>
 *
 * <p>Thread safety: readers are immutable; every read opens, reads and closes its files.
 */
package io.berth.metrics.cgroup;
