package io.berth.agent.config;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * The 128-bit FNV-1a hash, as Go's {@code hash/fnv.New128a} that the kubelet uses for static pod
 * UIDs. Not thread safe; one instance per hash.
 */
final class Fnv128a {
  private static final long PRIME_LOW = 0x13BL; // prime = 2^88 + 0x13B
  private long hi = 0x6c62272e07bb0142L;
  private long lo = 0x62b821756295c58dL;

  Fnv128a write(byte[] data) {
    for (byte b : data) {
      lo ^= (b & 0xff);
      long carry = Math.unsignedMultiplyHigh(lo, PRIME_LOW);
      long newHi = hi * PRIME_LOW + carry + (lo << 24);
      lo = lo * PRIME_LOW;
      hi = newHi;
    }
    return this;
  }

  Fnv128a write(String s) {
    return write(s.getBytes(StandardCharsets.UTF_8));
  }

  String hex() {
    return HexFormat.of().formatHex(longBytes(hi)) + HexFormat.of().formatHex(longBytes(lo));
  }

  private static byte[] longBytes(long v) {
    byte[] out = new byte[8];
    for (int i = 7; i >= 0; i--) {
      out[i] = (byte) v;
      v >>>= 8;
    }
    return out;
  }
}
