package io.berth.agent.volume;

import io.berth.metrics.cgroup.CgroupMounts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Platform;

/**
 * {@link Mounter} through libc's {@code mount(2)} and {@code umount2(2)} (jnr-ffi); mount points
 * are read from {@code /proc/self/mountinfo}.
 */
public final class LibcMounter implements Mounter {
  private static final long MS_NOSUID = 2;
  private static final long MS_NODEV = 4;
  private static final int MNT_DETACH = 2;
  private static final int EINVAL = 22;

  /** The libc calls used. */
  public interface LibC {
    int mount(String source, String target, String fstype, long flags, String data);

    int umount2(String target, int flags);
  }

  private final LibC libc;
  private final jnr.ffi.Runtime runtime;

  public LibcMounter() {
    this.libc =
        LibraryLoader.create(LibC.class)
            .load(Platform.getNativePlatform().getStandardCLibraryName());
    this.runtime = jnr.ffi.Runtime.getRuntime(libc);
  }

  @Override
  public void mountTmpfs(Path dir, OptionalLong sizeBytes) throws IOException {
    String data = "mode=0777" + (sizeBytes.isPresent() ? ",size=" + sizeBytes.getAsLong() : "");
    if (libc.mount("tmpfs", dir.toString(), "tmpfs", MS_NOSUID | MS_NODEV, data) != 0) {
      throw new IOException(
          "mount tmpfs on " + dir + " (" + data + "): errno " + runtime.getLastError());
    }
  }

  @Override
  public void unmount(Path dir) throws IOException {
    if (!isMountPoint(dir)) {
      return;
    }
    if (libc.umount2(dir.toString(), MNT_DETACH) != 0) {
      int errno = runtime.getLastError();
      if (errno != EINVAL) {
        throw new IOException("umount " + dir + ": errno " + errno);
      }
    }
  }

  @Override
  public boolean isMountPoint(Path dir) throws IOException {
    String wanted = dir.toAbsolutePath().normalize().toString();
    for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
      String[] f = line.split(" ", 6);
      if (f.length > 4 && CgroupMounts.unescape(f[4]).equals(wanted)) {
        return true;
      }
    }
    return false;
  }
}
