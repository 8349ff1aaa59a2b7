package io.berth.agent.volume;

import java.io.IOException;
import java.nio.file.Path;
import java.util.OptionalLong;

/** The mount system calls the volume manager needs: tmpfs for memory-backed volumes. */
public interface Mounter {
  /** Mounts a fresh tmpfs on {@code dir} (nodev, nosuid), limited to {@code sizeBytes} if set. */
  void mountTmpfs(Path dir, OptionalLong sizeBytes) throws IOException;

  /** Unmounts {@code dir} (lazily, like {@code umount -l}); no-op when nothing is mounted there. */
  void unmount(Path dir) throws IOException;

  /** Whether {@code dir} is a mount point. */
  boolean isMountPoint(Path dir) throws IOException;
}
