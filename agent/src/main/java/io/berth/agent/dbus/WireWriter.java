package io.berth.agent.dbus;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Marshals values in D-Bus little-endian wire format. Offsets (and so padding) count from the start
 * of this buffer, which must itself start 8-aligned in the message (the header and the body both
 * do).
 *
 * <p>Java values per type code: {@code y} any Number (one byte), {@code b} Boolean, {@code n q i u
 * h x t} any Number, {@code d} Number, {@code s o g} String, {@code v} {@link Variant}, {@code
 * a{..}} Map, other arrays a Collection, structs a List of their fields.
 */
final class WireWriter {
  private byte[] buf = new byte[256];
  private int pos;

  int position() {
    return pos;
  }

  byte[] toByteArray() {
    return Arrays.copyOf(buf, pos);
  }

  void align(int n) {
    while (pos % n != 0) {
      put((byte) 0);
    }
  }

  /** Writes {@code values} with the types of {@code signature}, one value per complete type. */
  void writeAll(String signature, List<?> values) {
    List<String> types = Signatures.split(signature);
    if (types.size() != values.size()) {
      throw new IllegalArgumentException(
          "signature '" + signature + "' has " + types.size() + " types, got " + values.size());
    }
    for (int i = 0; i < types.size(); i++) {
      write(types.get(i), values.get(i));
    }
  }

  /** Writes one value of the single complete type {@code type}. */
  void write(String type, Object v) {
    char c = type.charAt(0);
    try {
      switch (c) {
        case 'y' -> put(((Number) v).byteValue());
        case 'b' -> int32(((Boolean) v) ? 1 : 0);
        case 'n', 'q' -> int16(((Number) v).intValue());
        case 'i', 'u', 'h' -> int32(((Number) v).intValue());
        case 'x', 't' -> int64(((Number) v).longValue());
        case 'd' -> int64(Double.doubleToRawLongBits(((Number) v).doubleValue()));
        case 's', 'o' -> string((String) v);
        case 'g' -> signature((String) v);
        case 'v' -> {
          Variant var = (Variant) v;
          signature(var.signature());
          write(var.signature(), var.value());
        }
        case 'a' -> array(type.substring(1), v);
        case '(' -> {
          align(8);
          List<String> fields = Signatures.split(type.substring(1, type.length() - 1));
          List<?> values = (List<?>) v;
          if (fields.size() != values.size()) {
            throw new IllegalArgumentException(
                "struct " + type + " has " + fields.size() + " fields, got " + values.size());
          }
          for (int i = 0; i < fields.size(); i++) {
            write(fields.get(i), values.get(i));
          }
        }
        default -> throw new IllegalArgumentException("cannot write type " + type + " here");
      }
    } catch (ClassCastException | NullPointerException e) {
      throw new IllegalArgumentException("value " + v + " does not fit D-Bus type " + type, e);
    }
  }

  private void array(String element, Object v) {
    align(4);
    int lengthAt = pos;
    int32(0); // patched below
    align(Signatures.alignment(element.charAt(0)));
    int start = pos;
    if (element.charAt(0) == '{') {
      List<String> kv = Signatures.split(element.substring(1, element.length() - 1));
      for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
        align(8);
        write(kv.get(0), e.getKey());
        write(kv.get(1), e.getValue());
      }
    } else {
      for (Object o : (Collection<?>) v) {
        write(element, o);
      }
    }
    int length = pos - start;
    if (length > WireReader.MAX_ARRAY) {
      throw new IllegalArgumentException("array of " + length + " bytes is over the 64 MiB limit");
    }
    putInt32At(lengthAt, length);
  }

  private void string(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    int32(b.length);
    put(b);
    put((byte) 0);
  }

  private void signature(String s) {
    byte[] b = s.getBytes(StandardCharsets.US_ASCII);
    if (b.length > 255) {
      throw new IllegalArgumentException("signature over 255 bytes: " + s);
    }
    put((byte) b.length);
    put(b);
    put((byte) 0);
  }

  private void int16(int v) {
    align(2);
    put((byte) v);
    put((byte) (v >>> 8));
  }

  private void int32(int v) {
    align(4);
    for (int i = 0; i < 4; i++) {
      put((byte) (v >>> (8 * i)));
    }
  }

  private void int64(long v) {
    align(8);
    for (int i = 0; i < 8; i++) {
      put((byte) (v >>> (8 * i)));
    }
  }

  private void putInt32At(int at, int v) {
    for (int i = 0; i < 4; i++) {
      buf[at + i] = (byte) (v >>> (8 * i));
    }
  }

  private void put(byte b) {
    ensure(1);
    buf[pos++] = b;
  }

  private void put(byte[] b) {
    ensure(b.length);
    System.arraycopy(b, 0, buf, pos, b.length);
    pos += b.length;
  }

  private void ensure(int n) {
    if (pos + n > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + n));
    }
  }
}
