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

  /** libc bound through jnr-ffi, with the runtime that reads {@code errno}. */
  private record Bound(LibC libc, jnr.ffi.Runtime runtime) {
    static Bound load() {
      LibC libc =
          LibraryLoader.create(LibC.class)
              .load(Platform.getNativePlatform().getStandardCLibraryName());
      return new Bound(libc, jnr.ffi.Runtime.getRuntime(libc));
    }
  }

  private volatile Bound bound;

  /**
   * libc is bound at the first mount or unmount, not here: a node whose pods have no tmpfs volumes
   * (static pods without emptyDir medium Memory, standalone mode) then never loads jnr-ffi, its
   * native stub library and its ~300 classes (about 2.5 MB of RSS through the CDS archive and
   * metaspace, see systemd/README.md).
   */
  public LibcMounter() {}

  private Bound bound() {
    Bound b = bound;
    if (b == null) {
      synchronized (this) {
        b = bound;
        if (b == null) {
          b = Bound.load();
          bound = b;
        }
      }
    }
    return b;
  }

  @Override
  public void mountTmpfs(Path dir, OptionalLong sizeBytes) throws IOException {
    String data = "mode=0777" + (sizeBytes.isPresent() ? ",size=" + sizeBytes.getAsLong() : "");
    Bound b = bound();
    if (b.libc().mount("tmpfs", dir.toString(), "tmpfs", MS_NOSUID | MS_NODEV, data) != 0) {
      throw new IOException(
          "mount tmpfs on " + dir + " (" + data + "): errno " + b.runtime().getLastError());
    }
  }

  @Override
  public void unmount(Path dir) throws IOException {
    if (!isMountPoint(dir)) {
      return;
    }
    Bound b = bound();
    if (b.libc().umount2(dir.toString(), MNT_DETACH) != 0) {
      int errno = b.runtime().getLastError();
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
