package io.berth.netfilter.internal;

import java.nio.file.Path;

/**
 * Moves the <em>calling thread</em> into a network namespace with {@code setns(2)}. Network
 * namespaces are per thread, so a dedicated platform thread that enters a namespace before creating
 * an nftables context confines all its netlink traffic there; other threads of the JVM are
 * unaffected. Never call this from a virtual thread (its carrier would move).
 */
public final class NetworkNamespace {
  private final LibC libc;

  public NetworkNamespace(LibC libc) {
    this.libc = libc;
  }

  /** The path {@code ip netns add NAME} creates. */
  public static Path named(String name) {
    return Path.of("/run/netns", name);
  }

  /** Enters the namespace bound at {@code path} (e.g. {@code /run/netns/x}) on this thread. */
  public void enter(Path path) {
    if (Thread.currentThread().isVirtual()) {
      throw new IllegalStateException("setns on a virtual thread would move its carrier: " + path);
    }
    int fd = libc.open(path.toString(), LibC.O_RDONLY | LibC.O_CLOEXEC);
    if (fd < 0) {
      throw new IllegalStateException("open " + path + " failed: errno " + Native.errno(libc));
    }
    try {
      if (libc.setns(fd, LibC.CLONE_NEWNET) != 0) {
        throw new IllegalStateException(
            "setns(" + path + ", CLONE_NEWNET) failed: errno " + Native.errno(libc));
      }
    } finally {
      libc.close(fd);
    }
  }
}
