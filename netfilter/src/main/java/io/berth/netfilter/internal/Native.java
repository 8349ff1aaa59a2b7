package io.berth.netfilter.internal;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;

/**
 * Loads the native libraries. Instances are created by the caller (the composition root or a test)
 * and passed down; nothing here is a static singleton.
 */
public final class Native {
  private Native() {}

  /** Loads libnftables by its exact soname; throws {@link UnsatisfiedLinkError} if absent. */
  public static LibNftables loadNftables() {
    return LibraryLoader.create(LibNftables.class).load(LibNftables.LIBRARY);
  }

  public static LibC loadLibC() {
    return LibraryLoader.create(LibC.class).load("c");
  }

  /** errno saved by the last {@code @SaveError} call on this thread. */
  public static int errno(Object library) {
    return Runtime.getRuntime(library).getLastError();
  }
}
