package io.berth.netfilter.iptables;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;

/**
 * Builds nfnetlink messages into one growing buffer: {@code nlmsghdr} (16 bytes, host order) +
 * {@code nfgenmsg} (family, version 0, big-endian resource id) + attributes ({@code nlattr}: u16
 * length, u16 type, payload padded to 4). Numeric nf_tables attributes are big-endian, as the
 * kernel's {@code nla_get_be32}/{@code be64} read them. Constants are {@code
 * linux/netfilter/nfnetlink.h} and {@code nf_tables.h}.
 *
 * <p>Not thread-safe; one batch at a time.
 */
final class NfMessages {
  static final int NETLINK_NETFILTER = 12;
  static final int NFNL_SUBSYS_NFTABLES = 10;
  static final int NFNL_MSG_BATCH_BEGIN = 0x10;
  static final int NFNL_MSG_BATCH_END = 0x11;
  static final int NLMSG_ERROR = 2;
  static final int NLMSG_DONE = 3;

  static final int NLM_F_REQUEST = 0x1;
  static final int NLM_F_ACK = 0x4;
  static final int NLM_F_DUMP = 0x300;
  static final int NLM_F_CREATE = 0x400;
  static final int NLM_F_APPEND = 0x800;
  static final int NLA_F_NESTED = 0x8000;

  static final int NFT_MSG_NEWTABLE = 0;
  static final int NFT_MSG_NEWCHAIN = 3;
  static final int NFT_MSG_GETCHAIN = 4;
  static final int NFT_MSG_DELCHAIN = 5;
  static final int NFT_MSG_NEWRULE = 6;
  static final int NFT_MSG_GETRULE = 7;
  static final int NFT_MSG_DELRULE = 8;

  private ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.nativeOrder());
  private final Deque<Integer> open = new ArrayDeque<>();
  private int messageStart = -1;
  private int messages;

  /** The nf_tables message type of {@code msg} ({@code NFT_MSG_*}). */
  static int nftType(int msg) {
    return (NFNL_SUBSYS_NFTABLES << 8) | msg;
  }

  /** Starts a message; returns its sequence number ({@code seq}). */
  int begin(int type, int flags, int family, int resId, int seq) {
    if (messageStart >= 0) {
      throw new IllegalStateException("message not ended");
    }
    ensure(20);
    messageStart = buf.position();
    buf.putInt(0).putShort((short) type).putShort((short) flags).putInt(seq).putInt(0);
    buf.put((byte) family).put((byte) 0);
    buf.order(ByteOrder.BIG_ENDIAN).putShort((short) resId).order(ByteOrder.nativeOrder());
    messages++;
    return seq;
  }

  /** A batch delimiter ({@link #NFNL_MSG_BATCH_BEGIN} / {@link #NFNL_MSG_BATCH_END}). */
  void batchMark(int type, int seq) {
    begin(type, NLM_F_REQUEST, 0, NFNL_SUBSYS_NFTABLES, seq);
    end();
  }

  void end() {
    if (!open.isEmpty()) {
      throw new IllegalStateException("nested attribute not closed");
    }
    buf.putInt(messageStart, buf.position() - messageStart);
    messageStart = -1;
  }

  NfMessages string(int type, String value) {
    byte[] v = value.getBytes(StandardCharsets.UTF_8);
    return bytes(type, Arrays.copyOf(v, v.length + 1));
  }

  NfMessages u32(int type, int value) {
    return bytes(type, ByteBuffer.allocate(4).putInt(value).array());
  }

  NfMessages u64(int type, long value) {
    return bytes(type, ByteBuffer.allocate(8).putLong(value).array());
  }

  NfMessages bytes(int type, byte[] value) {
    int len = 4 + value.length;
    ensure(len + 3);
    buf.putShort((short) len).putShort((short) type).put(value);
    pad();
    return this;
  }

  NfMessages nest(int type) {
    ensure(4);
    open.push(buf.position());
    buf.putShort((short) 0).putShort((short) (type | NLA_F_NESTED));
    return this;
  }

  NfMessages close() {
    int start = open.pop();
    buf.putShort(start, (short) (buf.position() - start));
    return this;
  }

  /** The bytes built so far. */
  byte[] toBytes() {
    return Arrays.copyOf(buf.array(), buf.position());
  }

  int size() {
    return buf.position();
  }

  int messages() {
    return messages;
  }

  private void pad() {
    while ((buf.position() & 3) != 0) {
      buf.put((byte) 0);
    }
  }

  private void ensure(int more) {
    if (buf.remaining() < more) {
      ByteBuffer bigger =
          ByteBuffer.allocate(Math.max(buf.capacity() * 2, buf.position() + more))
              .order(ByteOrder.nativeOrder());
      bigger.put(buf.array(), 0, buf.position());
      buf = bigger;
    }
  }
}
