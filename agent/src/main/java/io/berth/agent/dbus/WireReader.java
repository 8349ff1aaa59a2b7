package io.berth.agent.dbus;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Unmarshals D-Bus little-endian wire format from a byte range whose first byte is 8-aligned in its
 * message. Java values as {@link WireWriter} takes them: {@code y} Byte, {@code b} Boolean, {@code
 * n} Short, {@code q} Integer, {@code i h} Integer, {@code u} Long, {@code x t} Long, {@code d}
 * Double, {@code s o g} String, {@code v} {@link Variant}, {@code a{..}} a LinkedHashMap, other
 * arrays and structs Lists. Malformed input throws {@link IllegalArgumentException} with the
 * offset.
 */
final class WireReader {
  /** The specification's maximum array length. */
  static final int MAX_ARRAY = 64 * 1024 * 1024;

  private static final int MAX_DEPTH = 64;

  private final byte[] buf;
  private final int start;
  private final int end;
  private int pos;
  private int depth;

  WireReader(byte[] buf, int start, int end) {
    this.buf = buf;
    this.start = start;
    this.end = end;
    this.pos = start;
  }

  int position() {
    return pos - start;
  }

  boolean atEnd() {
    return pos == end;
  }

  void align(int n) {
    while ((pos - start) % n != 0) {
      if (get() != 0) {
        throw bad("non-zero padding");
      }
    }
  }

  /** Reads one value per single complete type of {@code signature}. */
  List<Object> readAll(String signature) {
    List<Object> out = new ArrayList<>();
    for (String t : Signatures.split(signature)) {
      out.add(read(t));
    }
    return out;
  }

  Object read(String type) {
    if (++depth > MAX_DEPTH) {
      throw bad("nested deeper than " + MAX_DEPTH);
    }
    try {
      return readValue(type);
    } finally {
      depth--;
    }
  }

  private Object readValue(String type) {
    char c = type.charAt(0);
    return switch (c) {
      case 'y' -> get();
      case 'b' -> {
        int v = int32();
        if (v != 0 && v != 1) {
          throw bad("boolean " + v);
        }
        yield v == 1;
      }
      case 'n' -> (short) int16();
      case 'q' -> int16() & 0xffff;
      case 'i', 'h' -> int32();
      case 'u' -> Integer.toUnsignedLong(int32());
      case 'x', 't' -> int64();
      case 'd' -> Double.longBitsToDouble(int64());
      case 's', 'o' -> string(int32());
      case 'g' -> signature();
      case 'v' -> {
        String sig = signature();
        try {
          Signatures.requireSingle(sig);
        } catch (IllegalArgumentException e) {
          throw bad(e.getMessage());
        }
        yield new Variant(sig, read(sig));
      }
      case 'a' -> array(type.substring(1));
      case '(' -> {
        align(8);
        List<Object> fields = new ArrayList<>();
        for (String f : Signatures.split(type.substring(1, type.length() - 1))) {
          fields.add(read(f));
        }
        yield fields;
      }
      default -> throw bad("cannot read type " + type + " here");
    };
  }

  private Object array(String element) {
    int length = int32();
    if (length < 0 || length > MAX_ARRAY) {
      throw bad("array length " + Integer.toUnsignedLong(length));
    }
    align(Signatures.alignment(element.charAt(0)));
    int stop = pos + length;
    if (stop > end) {
      throw bad("array of " + length + " bytes runs past the end");
    }
    if (element.charAt(0) == '{') {
      List<String> kv = Signatures.split(element.substring(1, element.length() - 1));
      Map<Object, Object> m = new LinkedHashMap<>();
      while (pos < stop) {
        align(8);
        Object k = read(kv.get(0));
        m.put(k, read(kv.get(1)));
      }
      check(stop);
      return m;
    }
    List<Object> items = new ArrayList<>();
    while (pos < stop) {
      items.add(read(element));
    }
    check(stop);
    return items;
  }

  private void check(int stop) {
    if (pos != stop) {
      throw bad("array elements overrun its length");
    }
  }

  private String string(int length) {
    if (length < 0 || pos + length + 1 > end) {
      throw bad("string of " + Integer.toUnsignedLong(length) + " bytes runs past the end");
    }
    String s;
    try {
      s =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .decode(java.nio.ByteBuffer.wrap(buf, pos, length))
              .toString();
    } catch (CharacterCodingException e) {
      throw bad("string is not UTF-8");
    }
    pos += length;
    if (get() != 0) {
      throw bad("string not NUL-terminated");
    }
    return s;
  }

  private String signature() {
    int length = get() & 0xff;
    return string(length);
  }

  private byte get() {
    if (pos >= end) {
      throw bad("message ends early");
    }
    return buf[pos++];
  }

  private int int16() {
    align(2);
    return (get() & 0xff) | (get() & 0xff) << 8;
  }

  int int32() {
    align(4);
    int v = 0;
    for (int i = 0; i < 4; i++) {
      v |= (get() & 0xff) << (8 * i);
    }
    return v;
  }

  private long int64() {
    align(8);
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v |= (long) (get() & 0xff) << (8 * i);
    }
    return v;
  }

  private IllegalArgumentException bad(String what) {
    return new IllegalArgumentException(what + " at offset " + (pos - start));
  }
}
