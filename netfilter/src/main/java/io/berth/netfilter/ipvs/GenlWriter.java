package io.berth.netfilter.ipvs;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;

/**
 * Builds one generic netlink request: {@code nlmsghdr} (16 bytes, host order) + {@code genlmsghdr}
 * (cmd u8, version u8, reserved u16) + attributes ({@code nlattr}: len u16, type u16, payload
 * padded to {@code NLA_ALIGNTO} 4; the padding is not counted in {@code nla_len}, nested attributes
 * set {@code NLA_F_NESTED} and count their children's padding). Not thread-safe; one per message.
 */
final class GenlWriter {
  private ByteBuffer buf = ByteBuffer.allocate(128).order(ByteOrder.nativeOrder());
  private final Deque<Integer> nests = new ArrayDeque<>();

  /** Starts the message: the length is filled in by {@link #finish()}. */
  GenlWriter(int familyId, int flags, int seq, int cmd, int version) {
    buf.putInt(0).putShort((short) familyId).putShort((short) flags).putInt(seq).putInt(0);
    buf.put((byte) cmd).put((byte) version).putShort((short) 0);
  }

  GenlWriter u16(int type, int value) {
    attr(type, 2).putShort((short) value);
    return pad();
  }

  GenlWriter be16(int type, int value) {
    ensure(8);
    header(type, 2);
    buf.order(ByteOrder.BIG_ENDIAN).putShort((short) value).order(ByteOrder.nativeOrder());
    return pad();
  }

  GenlWriter u32(int type, int value) {
    attr(type, 4).putInt(value);
    return pad();
  }

  GenlWriter bytes(int type, byte[] value) {
    attr(type, value.length).put(value);
    return pad();
  }

  /** A NUL-terminated string ({@code NLA_NUL_STRING}). */
  GenlWriter string(int type, String value) {
    byte[] ascii = value.getBytes(StandardCharsets.US_ASCII);
    return bytes(type, Arrays.copyOf(ascii, ascii.length + 1));
  }

  /** Two host-order u32 in one attribute (e.g. {@code struct ip_vs_flags}). */
  GenlWriter u32Pair(int type, int first, int second) {
    attr(type, 8).putInt(first).putInt(second);
    return pad();
  }

  GenlWriter beginNested(int type) {
    ensure(4);
    nests.push(buf.position());
    buf.putShort((short) 0).putShort((short) (type | IpvsAbi.NLA_F_NESTED));
    return this;
  }

  GenlWriter endNested() {
    int start = nests.pop();
    buf.putShort(start, (short) (buf.position() - start));
    return this;
  }

  byte[] finish() {
    if (!nests.isEmpty()) {
      throw new IllegalStateException("unclosed nested attribute");
    }
    buf.putInt(0, buf.position());
    return Arrays.copyOf(buf.array(), buf.position());
  }

  private ByteBuffer attr(int type, int len) {
    ensure(IpvsAbi.NLA_HDRLEN + IpvsAbi.align(len));
    header(type, len);
    return buf;
  }

  private void header(int type, int len) {
    buf.putShort((short) (IpvsAbi.NLA_HDRLEN + len)).putShort((short) type);
  }

  private GenlWriter pad() {
    while (buf.position() % IpvsAbi.NLA_ALIGNTO != 0) {
      buf.put((byte) 0);
    }
    return this;
  }

  private void ensure(int more) {
    if (buf.remaining() < more + IpvsAbi.NLA_ALIGNTO) {
      ByteBuffer bigger =
          ByteBuffer.allocate(Math.max(buf.capacity() * 2, buf.position() + more + 64))
              .order(ByteOrder.nativeOrder());
      bigger.put(buf.array(), 0, buf.position());
      buf = bigger;
    }
  }
}
