package io.berth.netfilter.conntrack;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * Reads annotated hex golden files (bytes in hex, {@code #} starts a comment) from test resources:
 * {@code src/test/resources/conntrack/}, {@code ipvs/}.
 */
public final class Hex {
  private Hex() {}

  static byte[] golden(String name) {
    return resource("/conntrack/" + name);
  }

  /** The bytes of the annotated hex file at class-path {@code path} (e.g. {@code /ipvs/x.hex}). */
  public static byte[] resource(String path) {
    try (InputStream in = Hex.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalArgumentException("no golden file " + path);
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

  public static String text(byte[] bytes) {
    return HexFormat.ofDelimiter(" ").formatHex(bytes);
  }
}
