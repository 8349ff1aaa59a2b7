package io.berth.netfilter.ipvs;

import static io.berth.netfilter.ipvs.IpvsAbi.*;

import io.berth.netfilter.model.IpFamily;
import io.berth.netfilter.model.Protocol;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The {@code IPVS} generic netlink family's messages as kube-proxy's IPVS proxier sends them
 * (through moby's ipvs package; ipvsadm's libipvs sends the same attributes), and the decoding of
 * the kernel's dump answers.
 *
 * <pre>
 * request  = nlmsghdr(len, type = family id, flags, seq, pid 0) | genlmsghdr(cmd, version 1, 0)
 *            | IPVS_CMD_ATTR_SERVICE { AF u16, PROTOCOL u16, ADDR 16 bytes, PORT be16
 *                                      [, SCHED_NAME "rr\0", FLAGS {flags, mask}, TIMEOUT u32,
 *                                         NETMASK u32] }
 *            [ | IPVS_CMD_ATTR_DEST { ADDR 16 bytes, PORT be16 [, FWD_METHOD u32, WEIGHT u32,
 *                                     U_THRESH u32, L_THRESH u32], ADDR_FAMILY u16 } ]
 * </pre>
 *
 * New and set commands carry the full entry (the kernel requires scheduler, flags, timeout and
 * netmask for a service, forwarding method, weight and thresholds for a destination); delete
 * commands and the destination dump carry only the identity. Mutations ask for an ACK; dumps set
 * {@code NLM_F_DUMP}. Addresses are always {@code sizeof(union nf_inet_addr)} = 16 bytes, IPv4
 * zero-padded, as the kernel itself answers.
 */
public final class IpvsMessages {
  private static final int ACKED = NLM_F_REQUEST | NLM_F_ACK;
  private static final int DUMP = NLM_F_REQUEST | NLM_F_DUMP;

  private IpvsMessages() {}

  /** The request for {@code command}, addressed to the IPVS family {@code familyId}. */
  public static byte[] encode(IpvsCommand command, int familyId, int seq) {
    return switch (command) {
      case IpvsCommand.NewService c -> service(familyId, seq, IPVS_CMD_NEW_SERVICE, c.service());
      case IpvsCommand.SetService c -> service(familyId, seq, IPVS_CMD_SET_SERVICE, c.service());
      case IpvsCommand.DelService c -> {
        GenlWriter w = writer(familyId, ACKED, seq, IPVS_CMD_DEL_SERVICE);
        identity(w, c.service());
        yield w.finish();
      }
      case IpvsCommand.NewDest c -> dest(familyId, seq, IPVS_CMD_NEW_DEST, c.service(), c.dest());
      case IpvsCommand.SetDest c -> dest(familyId, seq, IPVS_CMD_SET_DEST, c.service(), c.dest());
      case IpvsCommand.DelDest c -> {
        GenlWriter w = writer(familyId, ACKED, seq, IPVS_CMD_DEL_DEST);
        identity(w, c.service());
        w.beginNested(IPVS_CMD_ATTR_DEST)
            .bytes(IPVS_DEST_ATTR_ADDR, address(c.dest().address()))
            .be16(IPVS_DEST_ATTR_PORT, c.dest().port())
            .u16(IPVS_DEST_ATTR_ADDR_FAMILY, af(IpFamily.of(c.dest().address())))
            .endNested();
        yield w.finish();
      }
      case IpvsCommand.Flush c -> writer(familyId, ACKED, seq, IPVS_CMD_FLUSH).finish();
    };
  }

  /** {@code IPVS_CMD_GET_SERVICE} dump: every virtual service of the namespace. */
  public static byte[] dumpServices(int familyId, int seq) {
    return writer(familyId, DUMP, seq, IPVS_CMD_GET_SERVICE).finish();
  }

  /** {@code IPVS_CMD_GET_DEST} dump: the destinations of one virtual service. */
  public static byte[] dumpDests(int familyId, int seq, VirtualServer.Key service) {
    GenlWriter w = writer(familyId, DUMP, seq, IPVS_CMD_GET_DEST);
    identity(w, service);
    return w.finish();
  }

  /** The generic netlink controller's {@code CTRL_CMD_GETFAMILY} for {@code name}. */
  public static byte[] getFamily(String name, int seq) {
    return new GenlWriter(GENL_ID_CTRL, NLM_F_REQUEST, seq, CTRL_CMD_GETFAMILY, 1)
        .string(CTRL_ATTR_FAMILY_NAME, name)
        .finish();
  }

  /** The family id ({@code CTRL_ATTR_FAMILY_ID}) in the controller's answer to a lookup. */
  public static OptionalInt familyId(ByteBuffer message) {
    ByteBuffer m = host(message);
    Map<Integer, ByteBuffer> attrs = attributes(m, NLMSG_HDRLEN + GENL_HDRLEN, end(m));
    ByteBuffer id = attrs.get(CTRL_ATTR_FAMILY_ID);
    return id == null ? OptionalInt.empty() : OptionalInt.of(id.getShort(0) & 0xFFFF);
  }

  /**
   * The virtual service in one dump answer ({@code IPVS_CMD_NEW_SERVICE} carrying {@code
   * IPVS_CMD_ATTR_SERVICE}); empty for services berth never makes (firewall-mark services, other
   * protocols). {@code IP_VS_SVC_F_HASHED}, which the kernel sets on every service, is dropped.
   *
   * @throws IllegalArgumentException when a required attribute is missing or malformed
   */
  public static Optional<VirtualServer> decodeService(ByteBuffer message) {
    message = host(message);
    Map<Integer, ByteBuffer> top = attributes(message, NLMSG_HDRLEN + GENL_HDRLEN, end(message));
    ByteBuffer nest = required(top, IPVS_CMD_ATTR_SERVICE, "IPVS_CMD_ATTR_SERVICE");
    Map<Integer, ByteBuffer> a = attributes(nest, 0, nest.limit());
    if (a.containsKey(IPVS_SVC_ATTR_FWMARK) && !a.containsKey(IPVS_SVC_ATTR_ADDR)) {
      return Optional.empty();
    }
    int af = required(a, IPVS_SVC_ATTR_AF, "IPVS_SVC_ATTR_AF").getShort(0) & 0xFFFF;
    int proto = required(a, IPVS_SVC_ATTR_PROTOCOL, "IPVS_SVC_ATTR_PROTOCOL").getShort(0) & 0xFFFF;
    Optional<Protocol> protocol = protocol(proto);
    if (protocol.isEmpty()) {
      return Optional.empty();
    }
    InetAddress addr = address(af, required(a, IPVS_SVC_ATTR_ADDR, "IPVS_SVC_ATTR_ADDR"));
    int port = be16(required(a, IPVS_SVC_ATTR_PORT, "IPVS_SVC_ATTR_PORT"));
    ByteBuffer sched = required(a, IPVS_SVC_ATTR_SCHED_NAME, "IPVS_SVC_ATTR_SCHED_NAME");
    ByteBuffer flags = required(a, IPVS_SVC_ATTR_FLAGS, "IPVS_SVC_ATTR_FLAGS");
    return Optional.of(
        new VirtualServer(
            protocol.get(),
            addr,
            port,
            string(sched),
            flags.getInt(0) & ~IP_VS_SVC_F_HASHED,
            required(a, IPVS_SVC_ATTR_TIMEOUT, "IPVS_SVC_ATTR_TIMEOUT").getInt(0),
            required(a, IPVS_SVC_ATTR_NETMASK, "IPVS_SVC_ATTR_NETMASK").getInt(0)));
  }

  /**
   * The destination in one dump answer ({@code IPVS_CMD_NEW_DEST} carrying {@code
   * IPVS_CMD_ATTR_DEST}); {@code family} is the virtual service's, used when the kernel sends no
   * {@code IPVS_DEST_ATTR_ADDR_FAMILY} (before Linux 4.17).
   */
  public static RealServer decodeDest(ByteBuffer message, IpFamily family) {
    message = host(message);
    Map<Integer, ByteBuffer> top = attributes(message, NLMSG_HDRLEN + GENL_HDRLEN, end(message));
    ByteBuffer nest = required(top, IPVS_CMD_ATTR_DEST, "IPVS_CMD_ATTR_DEST");
    Map<Integer, ByteBuffer> a = attributes(nest, 0, nest.limit());
    ByteBuffer afAttr = a.get(IPVS_DEST_ATTR_ADDR_FAMILY);
    int af = afAttr != null ? afAttr.getShort(0) & 0xFFFF : af(family);
    return new RealServer(
        address(af, required(a, IPVS_DEST_ATTR_ADDR, "IPVS_DEST_ATTR_ADDR")),
        be16(required(a, IPVS_DEST_ATTR_PORT, "IPVS_DEST_ATTR_PORT")),
        required(a, IPVS_DEST_ATTR_FWD_METHOD, "IPVS_DEST_ATTR_FWD_METHOD").getInt(0)
            & IP_VS_CONN_F_FWD_MASK,
        required(a, IPVS_DEST_ATTR_WEIGHT, "IPVS_DEST_ATTR_WEIGHT").getInt(0),
        required(a, IPVS_DEST_ATTR_U_THRESH, "IPVS_DEST_ATTR_U_THRESH").getInt(0),
        required(a, IPVS_DEST_ATTR_L_THRESH, "IPVS_DEST_ATTR_L_THRESH").getInt(0));
  }

  private static byte[] service(int familyId, int seq, int cmd, VirtualServer s) {
    GenlWriter w = writer(familyId, ACKED, seq, cmd);
    w.beginNested(IPVS_CMD_ATTR_SERVICE);
    identityAttributes(w, s.key());
    w.string(IPVS_SVC_ATTR_SCHED_NAME, s.scheduler())
        .u32Pair(IPVS_SVC_ATTR_FLAGS, s.flags(), 0xFFFF_FFFF)
        .u32(IPVS_SVC_ATTR_TIMEOUT, s.timeoutSeconds())
        .u32(IPVS_SVC_ATTR_NETMASK, s.netmask())
        .endNested();
    return w.finish();
  }

  private static byte[] dest(
      int familyId, int seq, int cmd, VirtualServer.Key service, RealServer d) {
    GenlWriter w = writer(familyId, ACKED, seq, cmd);
    identity(w, service);
    w.beginNested(IPVS_CMD_ATTR_DEST)
        .bytes(IPVS_DEST_ATTR_ADDR, address(d.address()))
        .be16(IPVS_DEST_ATTR_PORT, d.port())
        .u32(IPVS_DEST_ATTR_FWD_METHOD, d.forwardMethod() & IP_VS_CONN_F_FWD_MASK)
        .u32(IPVS_DEST_ATTR_WEIGHT, d.weight())
        .u32(IPVS_DEST_ATTR_U_THRESH, d.upperThreshold())
        .u32(IPVS_DEST_ATTR_L_THRESH, d.lowerThreshold())
        .u16(IPVS_DEST_ATTR_ADDR_FAMILY, af(IpFamily.of(d.address())))
        .endNested();
    return w.finish();
  }

  private static GenlWriter writer(int familyId, int flags, int seq, int cmd) {
    return new GenlWriter(familyId, flags, seq, cmd, IPVS_GENL_VERSION);
  }

  private static void identity(GenlWriter w, VirtualServer.Key k) {
    w.beginNested(IPVS_CMD_ATTR_SERVICE);
    identityAttributes(w, k);
    w.endNested();
  }

  private static void identityAttributes(GenlWriter w, VirtualServer.Key k) {
    w.u16(IPVS_SVC_ATTR_AF, af(IpFamily.of(k.address())))
        .u16(IPVS_SVC_ATTR_PROTOCOL, protocolNumber(k.protocol()))
        .bytes(IPVS_SVC_ATTR_ADDR, address(k.address()))
        .be16(IPVS_SVC_ATTR_PORT, k.port());
  }

  static int af(IpFamily family) {
    return family == IpFamily.IPV4 ? AF_INET : AF_INET6;
  }

  static int protocolNumber(Protocol p) {
    return switch (p) {
      case TCP -> IPPROTO_TCP;
      case UDP -> IPPROTO_UDP;
      case SCTP -> IPPROTO_SCTP;
    };
  }

  static Optional<Protocol> protocol(int number) {
    return switch (number) {
      case IPPROTO_TCP -> Optional.of(Protocol.TCP);
      case IPPROTO_UDP -> Optional.of(Protocol.UDP);
      case IPPROTO_SCTP -> Optional.of(Protocol.SCTP);
      default -> Optional.empty();
    };
  }

  /** {@code union nf_inet_addr}: 16 bytes, an IPv4 address in the first 4. */
  static byte[] address(InetAddress a) {
    return Arrays.copyOf(a.getAddress(), INET_ADDR_LEN);
  }

  private static InetAddress address(int af, ByteBuffer attr) {
    int len = af == AF_INET ? 4 : af == AF_INET6 ? 16 : -1;
    if (len < 0) {
      throw new IllegalArgumentException(
          "IPVS address family " + af + " is neither AF_INET nor AF_INET6");
    }
    if (attr.limit() < len) {
      throw new IllegalArgumentException(
          "IPVS address attribute of " + attr.limit() + " bytes for address family " + af);
    }
    byte[] raw = new byte[len];
    attr.get(0, raw);
    try {
      return InetAddress.getByAddress(raw);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("IPVS address of " + len + " bytes", e);
    }
  }

  private static int be16(ByteBuffer attr) {
    return ((attr.get(0) & 0xFF) << 8) | (attr.get(1) & 0xFF);
  }

  private static String string(ByteBuffer attr) {
    byte[] raw = new byte[attr.limit()];
    attr.get(0, raw);
    int n = 0;
    while (n < raw.length && raw[n] != 0) {
      n++;
    }
    return new String(raw, 0, n, StandardCharsets.US_ASCII);
  }

  private static ByteBuffer required(Map<Integer, ByteBuffer> attrs, int type, String name) {
    ByteBuffer b = attrs.get(type);
    if (b == null) {
      throw new IllegalArgumentException("IPVS answer without " + name + " (" + type + ")");
    }
    return b;
  }

  /** A view in host byte order whose index 0 is still the start of the nlmsghdr. */
  private static ByteBuffer host(ByteBuffer message) {
    return message.duplicate().order(ByteOrder.nativeOrder());
  }

  private static int end(ByteBuffer message) {
    return Math.min(message.limit(), message.getInt(0));
  }

  /**
   * The attributes in {@code [from, to)} of {@code b}, by type without {@code NLA_F_NESTED} (the
   * kernel's dump answers nest without the flag, berth's requests with it); each value is a slice
   * of its payload in host byte order.
   */
  static Map<Integer, ByteBuffer> attributes(ByteBuffer b, int from, int to) {
    Map<Integer, ByteBuffer> out = new HashMap<>();
    int at = from;
    while (at + NLA_HDRLEN <= to) {
      int len = b.getShort(at) & 0xFFFF;
      int type = b.getShort(at + 2) & NLA_TYPE_MASK;
      if (len < NLA_HDRLEN || at + len > to) {
        throw new IllegalArgumentException(
            "malformed netlink attribute at offset " + at + ": length " + len);
      }
      out.put(type, b.slice(at + NLA_HDRLEN, len - NLA_HDRLEN).order(ByteOrder.nativeOrder()));
      at += align(len);
    }
    return out;
  }
}
