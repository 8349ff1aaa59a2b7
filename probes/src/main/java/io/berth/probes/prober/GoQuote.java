package io.berth.probes.prober;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * Go's {@code %q} for the bytes a server sent, so berth's probe messages quote them as the
 * kubelet's do: {@code "SSH-2.0-OpenSSH_9.2"}, {@code "\x15\x03\x01\x00\x02\x02"}. Printable ASCII
 * stays, {@code \a \b \f \n \r \t \v \\ \"} are escaped by name, other bytes as {@code \xNN} (Go
 * keeps printable non-ASCII UTF-8 as it is; berth escapes its bytes). At most 256 bytes are quoted,
 * then {@code ...} follows, so a megabyte of garbage does not become a megabyte message.
 */
final class GoQuote {
  static final int MAX_BYTES = 256;

  private GoQuote() {}

  static String of(ByteBuf buf, int from, int to) {
    var out = new StringBuilder(Math.min(to - from, MAX_BYTES) + 8).append('"');
    int last = Math.min(to, from + MAX_BYTES);
    for (int i = from; i < last; i++) {
      append(out, buf.getByte(i) & 0xff);
    }
    out.append('"');
    if (last < to) {
      out.append("...");
    }
    return out.toString();
  }

  static String of(String text) {
    var bytes = text.getBytes(StandardCharsets.UTF_8);
    return of(io.netty.buffer.Unpooled.wrappedBuffer(bytes), 0, bytes.length);
  }

  private static void append(StringBuilder out, int b) {
    switch (b) {
      case 0x07 -> out.append("\\a");
      case '\b' -> out.append("\\b");
      case '\f' -> out.append("\\f");
      case '\n' -> out.append("\\n");
      case '\r' -> out.append("\\r");
      case '\t' -> out.append("\\t");
      case 0x0b -> out.append("\\v");
      case '\\' -> out.append("\\\\");
      case '"' -> out.append("\\\"");
      default -> {
        if (b >= 0x20 && b < 0x7f) {
          out.append((char) b);
        } else {
          out.append("\\x")
              .append(Character.forDigit(b >> 4, 16))
              .append(Character.forDigit(b & 15, 16));
        }
      }
    }
  }
}
