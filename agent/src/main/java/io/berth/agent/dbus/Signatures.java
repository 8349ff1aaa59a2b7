package io.berth.agent.dbus;

import java.util.ArrayList;
import java.util.List;

/** Splitting D-Bus type signatures into single complete types, and their alignments. */
final class Signatures {
  private Signatures() {}

  /** The single complete types of {@code signature} in order ({@code "sb"} → s, b). */
  static List<String> split(String signature) {
    List<String> out = new ArrayList<>();
    int i = 0;
    while (i < signature.length()) {
      int end = end(signature, i);
      out.add(signature.substring(i, end));
      i = end;
    }
    return out;
  }

  static void requireSingle(String signature) {
    if (signature == null || signature.isEmpty() || end(signature, 0) != signature.length()) {
      throw new IllegalArgumentException(
          "not a single complete type signature: '" + signature + "'");
    }
  }

  /** The index just past the single complete type starting at {@code i}. */
  static int end(String sig, int i) {
    if (i >= sig.length()) {
      throw new IllegalArgumentException("signature '" + sig + "' ends inside a type");
    }
    char c = sig.charAt(i);
    switch (c) {
      case 'y', 'b', 'n', 'q', 'i', 'u', 'x', 't', 'd', 'h', 's', 'o', 'g', 'v' -> {
        return i + 1;
      }
      case 'a' -> {
        return end(sig, i + 1);
      }
      case '(', '{' -> {
        char close = c == '(' ? ')' : '}';
        int j = i + 1;
        while (j < sig.length() && sig.charAt(j) != close) {
          j = end(sig, j);
        }
        if (j >= sig.length() || j == i + 1) {
          throw new IllegalArgumentException("signature '" + sig + "': bad container at " + i);
        }
        return j + 1;
      }
      default ->
          throw new IllegalArgumentException("signature '" + sig + "': unknown type code " + c);
    }
  }

  /** The alignment in bytes of values of the type starting with {@code code}. */
  static int alignment(char code) {
    return switch (code) {
      case 'y', 'g', 'v' -> 1;
      case 'n', 'q' -> 2;
      case 'b', 'i', 'u', 'h', 's', 'o', 'a' -> 4;
      case 'x', 't', 'd', '(', '{' -> 8;
      default -> throw new IllegalArgumentException("unknown type code " + code);
    };
  }
}
