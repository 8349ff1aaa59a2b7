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

  /**
   * Loads libiptc for one family ({@code libip4tc.so.2} with prefix {@code iptc_}, or {@code
   * libip6tc.so.2} with {@code ip6tc_}); throws {@link UnsatisfiedLinkError} if absent.
   */
  public static LibIptc loadIptc(boolean ipv6) {
    String prefix = ipv6 ? "ip6tc_" : "iptc_";
    return LibraryLoader.create(LibIptc.class)
        .mapper((name, context) -> prefix + snakeCase(name))
        .load(ipv6 ? LibIptc.IPV6_LIBRARY : LibIptc.IPV4_LIBRARY);
  }

  /** {@code firstChain} → {@code first_chain}. */
  static String snakeCase(String javaName) {
    StringBuilder out = new StringBuilder();
    for (char c : javaName.toCharArray()) {
      if (Character.isUpperCase(c)) {
        out.append('_').append(Character.toLowerCase(c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  public static LibC loadLibC() {
    return LibraryLoader.create(LibC.class).load("c");
  }

  /** errno saved by the last {@code @SaveError} call on this thread. */
  public static int errno(Object library) {
    return Runtime.getRuntime(library).getLastError();
  }
}
