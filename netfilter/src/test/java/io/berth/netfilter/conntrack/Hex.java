package io.berth.netfilter.conntrack;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/** Reads the annotated hex golden files under {@code src/test/resources/conntrack/}. */
final class Hex {
  private Hex() {}

  static byte[] golden(String name) {
    try (InputStream in = Hex.class.getResourceAsStream("/conntrack/" + name)) {
      if (in == null) {
        throw new IllegalArgumentException("no golden file conntrack/" + name);
      }
      StringBuilder hex = new StringBuilder();
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        int hash = line.indexOf('#');
        hex.append((hash < 0 ? line : line.substring(0, hash)).replaceAll("\\s+", ""));
      }
      return HexFormat.of().parseHex(hex);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String text(byte[] bytes) {
    return HexFormat.ofDelimiter(" ").formatHex(bytes);
  }
}
