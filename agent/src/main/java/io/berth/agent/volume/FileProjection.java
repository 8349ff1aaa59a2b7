package io.berth.agent.volume;

import java.util.Arrays;

/** One file of a projected payload: its bytes and permission bits (e.g. {@code 0644}). */
public record FileProjection(byte[] data, int mode) {
  public FileProjection {
    if (mode < 0 || mode > 0777) {
      throw new IllegalArgumentException("mode must be within 0 and 0777, got " + mode);
    }
    data = data.clone();
  }

  @Override
  public byte[] data() {
    return data.clone();
  }

  boolean sameAs(byte[] otherData, int otherMode) {
    return mode == otherMode && Arrays.equals(data, otherData);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FileProjection f && sameAs(f.data, f.mode);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(data) + mode;
  }

  @Override
  public String toString() {
    return "FileProjection[" + data.length + " bytes, mode " + Integer.toOctalString(mode) + "]";
  }
}
