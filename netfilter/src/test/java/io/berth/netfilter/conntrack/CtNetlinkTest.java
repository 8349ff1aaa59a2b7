package io.berth.netfilter.conntrack;

import static io.berth.netfilter.model.Addresses.parse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.berth.netfilter.conntrack.CtNetlink.DoneMessage;
import io.berth.netfilter.conntrack.CtNetlink.EntryMessage;
import io.berth.netfilter.conntrack.CtNetlink.ErrorMessage;
import io.berth.netfilter.conntrack.CtNetlink.Message;
import io.berth.netfilter.conntrack.CtNetlink.UndecodableMessage;
import io.berth.netfilter.model.IpFamily;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** ctnetlink encoding and decoding against hand-derived golden bytes of the kernel ABI. */
class CtNetlinkTest {
  private static final ConntrackEntry V4 =
      new ConntrackEntry(
          IpFamily.IPV4,
          17,
          new FlowTuple(parse("192.168.77.2"), parse("10.96.0.53"), 40000, 53),
          new FlowTuple(parse("10.0.1.2"), parse("192.168.77.2"), 5353, 40000),
          0x12345678L,
          0);

  @BeforeEach
  void littleEndianHost() {
    assumeTrue(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN, "goldens are for x86-64");
  }

  @Test
  void kernelAbiConstants() {
    // linux/netfilter/nfnetlink.h, nfnetlink_conntrack.h, linux/netlink.h
    assertThat(CtNetlink.NETLINK_NETFILTER).isEqualTo(12);
    assertThat(CtNetlink.NFNL_SUBSYS_CTNETLINK).isEqualTo(1);
    assertThat(CtNetlink.messageType(CtNetlink.IPCTNL_MSG_CT_NEW)).isEqualTo((short) 0x100);
    assertThat(CtNetlink.messageType(CtNetlink.IPCTNL_MSG_CT_GET)).isEqualTo((short) 0x101);
    assertThat(CtNetlink.messageType(CtNetlink.IPCTNL_MSG_CT_DELETE)).isEqualTo((short) 0x102);
    assertThat(List.of(CtNetlink.CTA_TUPLE_ORIG, CtNetlink.CTA_TUPLE_REPLY, CtNetlink.CTA_ID))
        .containsExactly(1, 2, 12);
    assertThat(CtNetlink.CTA_ZONE).isEqualTo(18);
    assertThat(List.of(CtNetlink.CTA_TUPLE_IP, CtNetlink.CTA_TUPLE_PROTO)).containsExactly(1, 2);
    assertThat(
            List.of(
                CtNetlink.CTA_IP_V4_SRC,
                CtNetlink.CTA_IP_V4_DST,
                CtNetlink.CTA_IP_V6_SRC,
                CtNetlink.CTA_IP_V6_DST))
        .containsExactly(1, 2, 3, 4);
    assertThat(
            List.of(
                CtNetlink.CTA_PROTO_NUM,
                CtNetlink.CTA_PROTO_SRC_PORT,
                CtNetlink.CTA_PROTO_DST_PORT))
        .containsExactly(1, 2, 3);
    assertThat(CtNetlink.NLM_F_DUMP).isEqualTo((short) 0x300);
    assertThat(CtNetlink.NLA_F_NESTED).isEqualTo(1 << 15);
  }

  @Test
  void dumpRequest() {
    assertBytes(CtNetlink.dumpRequest(IpFamily.IPV4, 1), "dump-request-ipv4.hex");
  }

  @Test
  void deleteRequestIpv4() {
    assertBytes(CtNetlink.deleteRequest(V4, 7), "delete-request-ipv4.hex");
  }

  @Test
  void deleteRequestIpv6WithZone() {
    ConntrackEntry v6 =
        new ConntrackEntry(
            IpFamily.IPV6,
            17,
            new FlowTuple(parse("fd00:77::2"), parse("fd00:96::35"), 40000, 53),
            new FlowTuple(parse("fd00:1::2"), parse("fd00:77::2"), 5353, 40000),
            1,
            7);
    assertBytes(CtNetlink.deleteRequest(v6, 8), "delete-request-ipv6-zone.hex");
  }

  @Test
  void decodesDumpAnswer() {
    byte[] reply = Hex.golden("dump-reply-ipv4.hex");
    List<Message> messages = CtNetlink.parse(reply, reply.length);
    assertThat(messages)
        .containsExactly(
            new EntryMessage(
                9,
                new ConntrackEntry(IpFamily.IPV4, 17, V4.original(), V4.reply(), 0x12345678L, 7)),
            new DoneMessage(9, 0));
  }

  @Test
  void decodedEntryEncodesBackToTheSameTuple() {
    byte[] reply = Hex.golden("dump-reply-ipv4.hex");
    ConntrackEntry e = ((EntryMessage) CtNetlink.parse(reply, reply.length).get(0)).entry();
    ConntrackEntry zoneless =
        new ConntrackEntry(e.family(), e.protocolNumber(), e.original(), e.reply(), e.id(), 0);
    assertBytes(CtNetlink.deleteRequest(zoneless, 7), "delete-request-ipv4.hex");
  }

  @Test
  void decodesErrorsAndAcks() {
    // NLMSG_ERROR: error -2 (ENOENT) then the offending header; then an ack (error 0).
    byte[] b =
        java.util.HexFormat.of()
            .parseHex(
                "24000000"
                    + "0200"
                    + "0000"
                    + "05000000"
                    + "00000000"
                    + "feffffff"
                    + "50000000020105000500000000000000"
                    + "14000000"
                    + "0200"
                    + "0000"
                    + "06000000"
                    + "00000000"
                    + "00000000");
    assertThat(CtNetlink.parse(b, b.length))
        .containsExactly(new ErrorMessage(5, Errno.ENOENT), new ErrorMessage(6, 0));
  }

  @Test
  void rejectsTruncatedMessages() {
    byte[] reply = Hex.golden("dump-reply-ipv4.hex");
    assertThatThrownBy(() -> CtNetlink.parse(reply, 100))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bad netlink message length 172");
    byte[] corrupt = Arrays.copyOf(reply, reply.length);
    corrupt[20] =
        (byte) 0xff; // CTA_TUPLE_ORIG claims 255 bytes: that entry is skipped, not the rest
    assertThat(CtNetlink.parse(corrupt, corrupt.length))
        .containsExactly(
            new UndecodableMessage(9, "bad attribute length 255 at offset 20"),
            new DoneMessage(9, 0));
  }

  @Test
  void ipv4MappedAddressesStayIpv6() {
    byte[] reply = Hex.golden("dump-reply-ipv6-mapped.hex");
    assertThat(CtNetlink.parse(reply, reply.length))
        .containsExactly(
            new EntryMessage(
                10,
                new ConntrackEntry(
                    IpFamily.IPV6,
                    17,
                    new FlowTuple(mapped("10.0.0.1"), parse("fd00:96::35"), 40000, 53),
                    new FlowTuple(parse("fd00:1::2"), mapped("10.0.0.1"), 5353, 40000),
                    42,
                    0)),
            new DoneMessage(10, 0));
  }

  private static java.net.InetAddress mapped(String v4) {
    byte[] raw = new byte[16];
    raw[10] = (byte) 0xff;
    raw[11] = (byte) 0xff;
    System.arraycopy(parse(v4).getAddress(), 0, raw, 12, 4);
    try {
      return java.net.Inet6Address.getByAddress(null, raw, -1);
    } catch (java.net.UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  private static void assertBytes(byte[] actual, String golden) {
    assertThat(Hex.text(actual)).as(golden).isEqualTo(Hex.text(Hex.golden(golden)));
  }
}
