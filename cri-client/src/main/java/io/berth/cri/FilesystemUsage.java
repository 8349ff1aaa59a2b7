package io.berth.cri;

import java.time.Instant;

/** Usage of a filesystem (image store or a container's writable layer). */
public record FilesystemUsage(
    Instant timestamp, String mountpoint, Long usedBytes, Long inodesUsed) {
  public FilesystemUsage {
    mountpoint = Copies.str(mountpoint);
  }
}
