package io.berth.metrics.node;

/**
 * Capacity of the filesystem holding a path (nodefs, imagefs).
 *
 * @param mountPoint where the filesystem is mounted
 * @param capacityBytes total size
 * @param availableBytes free for unprivileged use
 * @param usedBytes capacity minus free (all, including reserved blocks)
 * @param inodes total inodes
 * @param inodesFree free inodes
 */
public record FilesystemStats(
    String mountPoint,
    long capacityBytes,
    long availableBytes,
    long usedBytes,
    long inodes,
    long inodesFree) {

  /** Used inodes. */
  public long inodesUsed() {
    return inodes - inodesFree;
  }
}
