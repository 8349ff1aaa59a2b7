package io.berth.metrics.stats;

/**
 * Block I/O of one cgroup on one device, cumulative.
 *
 * @param major device major number
 * @param minor device minor number
 * @param readBytes bytes read
 * @param writeBytes bytes written
 * @param readOps read operations
 * @param writeOps write operations
 */
public record IoDeviceStats(
    int major, int minor, long readBytes, long writeBytes, long readOps, long writeOps) {

  /** {@code major:minor}, the kernel's device key. */
  public String deviceKey() {
    return major + ":" + minor;
  }
}
