package io.berth.metrics.exposition;

import java.util.Arrays;

/**
 * A growable byte array for exposition text: bytes, ASCII text and decimal longs written without
 * intermediate Strings. Not thread-safe.
 */
final class ByteSink {
  private byte[] bytes;
  private int size;

  ByteSink(int capacity) {
    bytes = new byte[capacity];
  }

  int size() {
    return size;
  }

  void write(byte b) {
    ensure(1);
    bytes[size++] = b;
  }

  void write(byte[] b) {
    ensure(b.length);
    System.arraycopy(b, 0, bytes, size, b.length);
    size += b.length;
  }

  /** Writes {@code text}, which must be ASCII (numbers, as GoFloat writes them). */
  void writeAscii(CharSequence text) {
    int n = text.length();
    ensure(n);
    for (int i = 0; i < n; i++) {
      bytes[size++] = (byte) text.charAt(i);
    }
  }

  /** Writes {@code v} in decimal, as {@link Long#toString(long)} would. */
  void writeLong(long v) {
    if (v == Long.MIN_VALUE) {
      writeAscii(Long.toString(v));
      return;
    }
    ensure(20);
    if (v < 0) {
      bytes[size++] = '-';
      v = -v;
    }
    int digits = 1;
    for (long p = 10; digits < 19 && v >= p; p *= 10) {
      digits++;
    }
    for (int i = size + digits - 1; i >= size; i--) {
      bytes[i] = (byte) ('0' + v % 10);
      v /= 10;
    }
    size += digits;
  }

  /** A copy of what was written. */
  byte[] toArray() {
    return Arrays.copyOf(bytes, size);
  }

  /** Copies bytes {@code [from, to)} into {@code out} at {@code at}; returns the end in out. */
  int copyTo(int from, int to, byte[] out, int at) {
    System.arraycopy(bytes, from, out, at, to - from);
    return at + to - from;
  }

  private void ensure(int more) {
    if (size + more > bytes.length) {
      bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
    }
  }
}
