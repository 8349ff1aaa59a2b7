package io.berth.netfilter.ipvs;

import static io.berth.netfilter.model.Addresses.parse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.berth.netfilter.conntrack.Hex;
import io.berth.netfilter.model.IpFamily;
import io.berth.netfilter.model.Protocol;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The IPVS generic netlink messages, byte for byte against golden files written by hand from {@code
 * linux/ip_vs.h} and netlink's layout ({@code src/test/resources/ipvs/*.hex}, every byte group
 * annotated), and round trips through the decoder.
 */
class IpvsMessagesTest {
  private static final int FAMILY = 0x24;
  private static final VirtualServer V4 =
      VirtualServer.of(Protocol.TCP, parse("10.96.0.10"), 80).persistent(10_800);
  private static final RealServer V4_DEST = RealServer.masq(parse("10.0.1.2"), 8080);
  private static final VirtualServer V6 =
      VirtualServer.of(Protocol.UDP, parse("fd00:10:96::a"), 53);
  private static final RealServer V6_DEST = RealServer.masq(parse("fd00:10:244:1::5"), 5353);

  @BeforeEach
  void littleEndianHost() {
    assumeTrue(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN, "goldens are for x86-64");
  }

  private static void assertGolden(byte[] actual, String file) {
    assertThat(Hex.text(actual)).as(file).isEqualTo(Hex.text(Hex.resource("/ipvs/" + file)));
  }

  @Test
  void ipv4ServiceWithPersistenceAndItsDestination() {
    assertGolden(
        IpvsMessages.encode(new IpvsCommand.NewService(V4), FAMILY, 1),
        "new-service-v4-persistent.hex");
    assertGolden(
        IpvsMessages.encode(new IpvsCommand.NewDest(V4.key(), V4_DEST), FAMILY, 2),
        "new-dest-v4.hex");
  }

  @Test
  void ipv6ServiceAndItsDestination() {
    assertGolden(
        IpvsMessages.encode(new IpvsCommand.NewService(V6), FAMILY, 3), "new-service-v6.hex");
    assertGolden(
        IpvsMessages.encode(new IpvsCommand.NewDest(V6.key(), V6_DEST), FAMILY, 4),
        "new-dest-v6.hex");
  }

  @Test
  void deletesCarryOnlyTheIdentities() {
    assertGolden(
        IpvsMessages.encode(new IpvsCommand.DelDest(V4.key(), V4_DEST), FAMILY, 5),
        "del-dest-v4.hex");
    assertGolden(
        IpvsMessages.encode(new IpvsCommand.DelService(V4.key()), FAMILY, 6), "del-service-v4.hex");
    assertGolden(IpvsMessages.encode(new IpvsCommand.Flush(), FAMILY, 9), "flush.hex");
  }

  @Test
  void setCommandsDifferFromNewOnlyInTheCommandByte() {
    byte[] add = IpvsMessages.encode(new IpvsCommand.NewService(V4), FAMILY, 1);
    byte[] set = IpvsMessages.encode(new IpvsCommand.SetService(V4), FAMILY, 1);
    assertThat(set[16]).isEqualTo((byte) IpvsAbi.IPVS_CMD_SET_SERVICE);
    set[16] = add[16];
    assertThat(set).isEqualTo(add);
    byte[] addDest = IpvsMessages.encode(new IpvsCommand.NewDest(V4.key(), V4_DEST), FAMILY, 2);
    byte[] setDest = IpvsMessages.encode(new IpvsCommand.SetDest(V4.key(), V4_DEST), FAMILY, 2);
    assertThat(setDest[16]).isEqualTo((byte) IpvsAbi.IPVS_CMD_SET_DEST);
    setDest[16] = addDest[16];
    assertThat(setDest).isEqualTo(addDest);
  }

  @Test
  void dumpRequests() {
    assertGolden(IpvsMessages.dumpServices(FAMILY, 7), "dump-services.hex");
    assertGolden(IpvsMessages.dumpDests(FAMILY, 8, V4.key()), "dump-dests-v4.hex");
  }

  @Test
  void controllerLookup() {
    assertGolden(IpvsMessages.getFamily("nlctrl", 1), "getfamily-nlctrl.hex");
  }

  @Test
  void kernelDumpAnswersDecodeIgnoringStatsTunnelsAndTheHashedFlag() {
    assertThat(IpvsMessages.decodeService(buffer(Hex.resource("/ipvs/answer-service-v4.hex"))))
        .contains(V4);
    assertThat(
            IpvsMessages.decodeDest(
                buffer(Hex.resource("/ipvs/answer-dest-v4.hex")), IpFamily.IPV4))
        .isEqualTo(V4_DEST);
  }

  @Test
  void roundTripsThroughTheDecoder() {
    VirtualServer[] services = {
      V4,
      V6,
      V6.persistent(60),
      VirtualServer.of(Protocol.SCTP, parse("192.0.2.1"), 65_535),
      new VirtualServer(Protocol.TCP, parse("10.96.0.1"), 443, "wlc", 0, 0, 0xFFFF_FFFF)
    };
    for (VirtualServer vs : services) {
      assertThat(
              IpvsMessages.decodeService(
                  buffer(IpvsMessages.encode(new IpvsCommand.NewService(vs), FAMILY, 1))))
          .as(vs.toString())
          .contains(vs);
    }
    RealServer[] dests = {
      V4_DEST, V6_DEST, new RealServer(parse("10.0.1.3"), 1, IpvsAbi.IP_VS_CONN_F_MASQ, 0, 100, 10)
    };
    for (RealServer d : dests) {
      VirtualServer.Key key = IpFamily.of(d.address()) == IpFamily.IPV4 ? V4.key() : V6.key();
      assertThat(
              IpvsMessages.decodeDest(
                  buffer(IpvsMessages.encode(new IpvsCommand.NewDest(key, d), FAMILY, 1)),
                  IpFamily.of(d.address())))
          .isEqualTo(d);
    }
  }

  @Test
  void firewallMarkServicesOfOtherUsersAreSkipped() {
    GenlWriter w = new GenlWriter(FAMILY, IpvsAbi.NLM_F_MULTI, 7, IpvsAbi.IPVS_CMD_NEW_SERVICE, 1);
    w.beginNested(IpvsAbi.IPVS_CMD_ATTR_SERVICE)
        .u16(IpvsAbi.IPVS_SVC_ATTR_AF, IpvsAbi.AF_INET)
        .u32(IpvsAbi.IPVS_SVC_ATTR_FWMARK, 7)
        .string(IpvsAbi.IPVS_SVC_ATTR_SCHED_NAME, "rr")
        .endNested();
    assertThat(IpvsMessages.decodeService(buffer(w.finish()))).isEqualTo(Optional.empty());
  }

  @Test
  void truncatedAnswersAreRefusedWithContext() {
    byte[] answer = Hex.resource("/ipvs/answer-service-v4.hex");
    byte[] cut = Arrays.copyOf(answer, 60);
    ByteBuffer.wrap(cut).order(ByteOrder.nativeOrder()).putInt(0, 60);
    assertThatThrownBy(() -> IpvsMessages.decodeService(buffer(cut)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("malformed netlink attribute");
  }

  @Test
  void schedulerNamesMustFitTheKernelsBuffer() {
    assertThatThrownBy(
            () -> new VirtualServer(Protocol.TCP, parse("10.0.0.1"), 1, "x".repeat(16), 0, 0, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("1 to 15 characters");
  }

  private static ByteBuffer buffer(byte[] message) {
    return ByteBuffer.wrap(message).order(ByteOrder.nativeOrder());
  }
}
