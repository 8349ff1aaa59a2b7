package io.berth.netfilter.conntrack;

import io.berth.netfilter.model.IpFamily;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Encoder and decoder for the few ctnetlink messages berth sends and receives over a {@code
 * NETLINK_NETFILTER} socket: a dump of one family's conntrack table ({@code IPCTNL_MSG_CT_GET} with
 * {@code NLM_F_DUMP}), its {@code IPCTNL_MSG_CT_NEW} answers, and the delete of one entry ({@code
 * IPCTNL_MSG_CT_DELETE} by original tuple, zone and id). Constants are the kernel ABI of {@code
 * linux/netlink.h}, {@code linux/netfilter/nfnetlink.h} and {@code
 * linux/netfilter/nfnetlink_conntrack.h}.
 *
 * <pre>
 * nlmsghdr (16, host order) | nfgenmsg (family u8, version u8, res_id be16) | attributes
 * attribute: len u16 | type u16 (| NLA_F_NESTED) | payload, padded to 4
 * </pre>
 *
 * Netlink headers and attribute headers are in host byte order; addresses, ports, ids and zones
 * inside attributes are in network byte order.
 */
final class CtNetlink {
  // linux/socket.h, linux/netlink.h
  static final int AF_INET = 2;
  static final int AF_INET6 = 10;
  static final int NETLINK_NETFILTER = 12;
  static final short NLMSG_NOOP = 1;
  static final short NLMSG_ERROR = 2;
  static final short NLMSG_DONE = 3;
  static final short NLM_F_REQUEST = 0x1;
  static final short NLM_F_MULTI = 0x2;
  static final short NLM_F_ACK = 0x4;
  static final short NLM_F_DUMP = 0x300; // NLM_F_ROOT | NLM_F_MATCH
  static final int NLA_F_NESTED = 0x8000;
  static final int NLA_TYPE_MASK = 0x3FFF;
  static final int NLMSG_HDRLEN = 16;
  static final int NFGENMSG_LEN = 4;
  // linux/netfilter/nfnetlink.h
  static final int NFNETLINK_V0 = 0;
  static final int NFNL_SUBSYS_CTNETLINK = 1;
  // linux/netfilter/nfnetlink_conntrack.h: enum cntl_msg_types
  static final int IPCTNL_MSG_CT_NEW = 0;
  static final int IPCTNL_MSG_CT_GET = 1;
  static final int IPCTNL_MSG_CT_DELETE = 2;
  // enum ctattr_type
  static final int CTA_TUPLE_ORIG = 1;
  static final int CTA_TUPLE_REPLY = 2;
  static final int CTA_ID = 12;
  static final int CTA_ZONE = 18;
  // enum ctattr_tuple
  static final int CTA_TUPLE_IP = 1;
  static final int CTA_TUPLE_PROTO = 2;
  // enum ctattr_ip
  static final int CTA_IP_V4_SRC = 1;
  static final int CTA_IP_V4_DST = 2;
  static final int CTA_IP_V6_SRC = 3;
  static final int CTA_IP_V6_DST = 4;
  // enum ctattr_l4proto
  static final int CTA_PROTO_NUM = 1;
  static final int CTA_PROTO_SRC_PORT = 2;
  static final int CTA_PROTO_DST_PORT = 3;

  private CtNetlink() {}

  /** {@code (NFNL_SUBSYS_CTNETLINK << 8) | msg}, the nlmsg_type of a ctnetlink message. */
  static short messageType(int msg) {
    return (short) ((NFNL_SUBSYS_CTNETLINK << 8) | msg);
  }

  static int addressFamily(IpFamily family) {
    return switch (family) {
      case IPV4 -> AF_INET;
      case IPV6 -> AF_INET6;
    };
  }

  /** Dump every entry of {@code family}'s table; the kernel filters by the nfgenmsg family. */
  static byte[] dumpRequest(IpFamily family, int seq) {
    Writer w = new Writer();
    w.header(messageType(IPCTNL_MSG_CT_GET), (short) (NLM_F_REQUEST | NLM_F_DUMP), seq, family);
    return w.finish();
  }

  /**
   * Delete exactly {@code e}: its original tuple (which the kernel looks up in {@code e.zone()}),
   * and its id, so that a newer entry that happens to reuse the tuple is left alone (ENOENT).
   */
  static byte[] deleteRequest(ConntrackEntry e, int seq) {
    Writer w = new Writer();
    w.header(
        messageType(IPCTNL_MSG_CT_DELETE), (short) (NLM_F_REQUEST | NLM_F_ACK), seq, e.family());
    int tuple = w.begin(CTA_TUPLE_ORIG);
    int ip = w.begin(CTA_TUPLE_IP);
    boolean v4 = e.family() == IpFamily.IPV4;
    w.attr(v4 ? CTA_IP_V4_SRC : CTA_IP_V6_SRC, e.original().source().getAddress());
    w.attr(v4 ? CTA_IP_V4_DST : CTA_IP_V6_DST, e.original().destination().getAddress());
    w.end(ip);
    int proto = w.begin(CTA_TUPLE_PROTO);
    w.attr(CTA_PROTO_NUM, new byte[] {(byte) e.protocolNumber()});
    w.attr(CTA_PROTO_SRC_PORT, be16(e.original().sourcePort()));
    w.attr(CTA_PROTO_DST_PORT, be16(e.original().destinationPort()));
    w.end(proto);
    w.end(tuple);
    if (e.zone() != 0) {
      w.attr(CTA_ZONE, be16(e.zone()));
    }
    w.attr(CTA_ID, be32(e.id()));
    return w.finish();
  }

  private static byte[] be16(int v) {
    return new byte[] {(byte) (v >>> 8), (byte) v};
  }

  private static byte[] be32(long v) {
    return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
  }

  /** What one netlink message in a reply said. */
  sealed interface Message
      permits EntryMessage, DoneMessage, ErrorMessage, OtherMessage, UndecodableMessage {
    int seq();
  }

  /** A conntrack entry from a dump. */
  record EntryMessage(int seq, ConntrackEntry entry) implements Message {}

  /** End of a dump; {@code errno} is positive if the dump ended with an error. */
  record DoneMessage(int seq, int errno) implements Message {}

  /** An acknowledgement ({@code errno} 0) or an error (positive errno). */
  record ErrorMessage(int seq, int errno) implements Message {}

  /** Anything else (NOOP, an entry of a protocol family berth does not decode). */
  record OtherMessage(int seq, int type, String why) implements Message {}

  /**
   * A conntrack message whose attributes make no sense (its netlink framing was intact, so the
   * messages after it are still read).
   */
  record UndecodableMessage(int seq, String why) implements Message {}

  /**
   * Splits one datagram into its netlink messages and decodes them.
   *
   * @throws IllegalArgumentException if the datagram is malformed
   */
  static List<Message> parse(byte[] buf, int length) {
    ByteBuffer b = ByteBuffer.wrap(buf, 0, length).order(ByteOrder.nativeOrder());
    List<Message> out = new ArrayList<>();
    int off = 0;
    while (off + NLMSG_HDRLEN <= length) {
      int len = b.getInt(off);
      short type = b.getShort(off + 4);
      int seq = b.getInt(off + 8);
      if (len < NLMSG_HDRLEN || off + len > length) {
        throw new IllegalArgumentException(
            "bad netlink message length " + len + " at offset " + off + " of " + length);
      }
      int body = off + NLMSG_HDRLEN;
      int end = off + len;
      out.add(
          switch (type) {
            case NLMSG_ERROR -> new ErrorMessage(seq, -requireInt(b, body, end, "NLMSG_ERROR"));
            case NLMSG_DONE -> new DoneMessage(seq, end - body >= 4 ? -b.getInt(body) : 0);
            case NLMSG_NOOP -> new OtherMessage(seq, type, "NLMSG_NOOP");
            default -> decodeOrReport(b, type, seq, body, end);
          });
      off += align(len);
    }
    return out;
  }

  private static int requireInt(ByteBuffer b, int body, int end, String what) {
    if (end - body < 4) {
      throw new IllegalArgumentException(what + " without an error code");
    }
    return b.getInt(body);
  }

  private static Message decodeOrReport(ByteBuffer b, short type, int seq, int body, int end) {
    try {
      return decodeConntrack(b, type, seq, body, end);
    } catch (IllegalArgumentException e) {
      return new UndecodableMessage(seq, e.getMessage());
    }
  }

  private static Message decodeConntrack(ByteBuffer b, short type, int seq, int body, int end) {
    if (type != messageType(IPCTNL_MSG_CT_NEW)) {
      return new OtherMessage(seq, type, "message type 0x" + Integer.toHexString(type & 0xFFFF));
    }
    if (end - body < NFGENMSG_LEN) {
      throw new IllegalArgumentException("conntrack message without nfgenmsg");
    }
    int af = b.get(body) & 0xFF;
    IpFamily family;
    if (af == AF_INET) {
      family = IpFamily.IPV4;
    } else if (af == AF_INET6) {
      family = IpFamily.IPV6;
    } else {
      return new OtherMessage(seq, type, "address family " + af);
    }
    Tuple orig = null;
    Tuple reply = null;
    long id = 0;
    int zone = 0;
    for (int[] a : attributes(b, body + NFGENMSG_LEN, end)) {
      switch (a[0]) {
        case CTA_TUPLE_ORIG -> orig = tuple(b, a[1], a[2]);
        case CTA_TUPLE_REPLY -> reply = tuple(b, a[1], a[2]);
        case CTA_ID -> id = ((long) be16At(b, a[1]) << 16) | be16At(b, a[1] + 2);
        case CTA_ZONE -> zone = be16At(b, a[1]);
        default -> {}
      }
    }
    if (orig == null || reply == null || orig.src == null || reply.src == null) {
      return new OtherMessage(seq, type, "entry without both tuples");
    }
    return new EntryMessage(
        seq,
        new ConntrackEntry(
            family,
            orig.proto,
            new FlowTuple(orig.src, orig.dst, orig.sport, orig.dport),
            new FlowTuple(reply.src, reply.dst, reply.sport, reply.dport),
            id,
            zone));
  }

  /** A decoded CTA_TUPLE_*; fields stay null/0 when absent. */
  private static final class Tuple {
    InetAddress src;
    InetAddress dst;
    int proto;
    int sport;
    int dport;
  }

  private static Tuple tuple(ByteBuffer b, int start, int end) {
    Tuple t = new Tuple();
    for (int[] a : attributes(b, start, end)) {
      if (a[0] == CTA_TUPLE_IP) {
        for (int[] ip : attributes(b, a[1], a[2])) {
          switch (ip[0]) {
            case CTA_IP_V4_SRC, CTA_IP_V6_SRC -> t.src = address(b, ip[1], ip[2]);
            case CTA_IP_V4_DST, CTA_IP_V6_DST -> t.dst = address(b, ip[1], ip[2]);
            default -> {}
          }
        }
      } else if (a[0] == CTA_TUPLE_PROTO) {
        for (int[] p : attributes(b, a[1], a[2])) {
          switch (p[0]) {
            case CTA_PROTO_NUM -> t.proto = b.get(p[1]) & 0xFF;
            case CTA_PROTO_SRC_PORT -> t.sport = be16At(b, p[1]);
            case CTA_PROTO_DST_PORT -> t.dport = be16At(b, p[1]);
            default -> {}
          }
        }
      }
    }
    return t;
  }

  private static int be16At(ByteBuffer b, int at) {
    return ((b.get(at) & 0xFF) << 8) | (b.get(at + 1) & 0xFF);
  }

  private static InetAddress address(ByteBuffer b, int start, int end) {
    int n = end - start;
    if (n != 4 && n != 16) {
      throw new IllegalArgumentException("address attribute of " + n + " bytes");
    }
    byte[] raw = new byte[n];
    b.get(start, raw);
    try {
      // Inet6Address keeps an IPv4-mapped address (::ffff:a.b.c.d) IPv6; getByAddress would not.
      return n == 4 ? InetAddress.getByAddress(raw) : Inet6Address.getByAddress(null, raw, -1);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("bad address attribute", e);
    }
  }

  /** Attributes in {@code [start, end)} as {type (flags masked), payload start, payload end}. */
  private static List<int[]> attributes(ByteBuffer b, int start, int end) {
    List<int[]> out = new ArrayList<>();
    int off = start;
    while (off + 4 <= end) {
      int len = b.getShort(off) & 0xFFFF;
      int type = b.getShort(off + 2) & NLA_TYPE_MASK;
      if (len < 4 || off + len > end) {
        throw new IllegalArgumentException("bad attribute length " + len + " at offset " + off);
      }
      out.add(new int[] {type, off + 4, off + len});
      off += align(len);
    }
    return out;
  }

  static int align(int len) {
    return (len + 3) & ~3;
  }

  /** Builds one netlink message with nested attributes. */
  private static final class Writer {
    private ByteBuffer b = ByteBuffer.allocate(256).order(ByteOrder.nativeOrder());

    void header(short type, short flags, int seq, IpFamily family) {
      b.putInt(0).putShort(type).putShort(flags).putInt(seq).putInt(0);
      b.put((byte) addressFamily(family)).put((byte) NFNETLINK_V0).putShort((short) 0);
    }

    int begin(int type) {
      int at = b.position();
      b.putShort((short) 0).putShort((short) (type | NLA_F_NESTED));
      return at;
    }

    void end(int at) {
      b.putShort(at, (short) (b.position() - at));
    }

    void attr(int type, byte[] payload) {
      ensure(4 + align(payload.length));
      b.putShort((short) (4 + payload.length)).putShort((short) type).put(payload);
      while ((b.position() & 3) != 0) {
        b.put((byte) 0);
      }
    }

    private void ensure(int more) {
      if (b.remaining() < more) {
        ByteBuffer bigger = ByteBuffer.allocate(b.capacity() * 2).order(ByteOrder.nativeOrder());
        b.flip();
        bigger.put(b);
        b = bigger;
      }
    }

    byte[] finish() {
      b.putInt(0, b.position());
      byte[] out = new byte[b.position()];
      b.get(0, out);
      return out;
    }
  }
}
