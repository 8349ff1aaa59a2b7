package io.berth.netfilter.iptables;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.netfilter.TransactionFailedException;
import io.berth.netfilter.model.IpFamily;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The kernel struct layout of encoded entries, against sizes and offsets derived by hand from the
 * UAPI headers (the root-only {@code IptcOracleIT} checks the content against iptables itself).
 */
class EntryEncoderTest {
  private static ByteBuffer encode(String line, IpFamily family) {
    return ByteBuffer.wrap(EntryEncoder.encode(line, family).entry())
        .order(ByteOrder.nativeOrder());
  }

  /** The name of the extension that starts at {@code offset}. */
  private static String name(ByteBuffer b, int offset) {
    byte[] n = new byte[29];
    b.get(offset + 2, n);
    return new String(n, StandardCharsets.US_ASCII).replace("\0", "");
  }

  @Test
  void clusterIpRuleHasTheKernelsIpv4Layout() {
    ByteBuffer b =
        encode(
            "-A BERTH-SERVICES -d 10.96.0.10/32 -p tcp -m tcp --dport 80 -m comment --comment"
                + " \"default/web:http cluster IP\" -j BERTH-SVC-CDGGSHYLG3RE2FKL",
            IpFamily.IPV4);
    // ipt_entry 112 + tcp (32 + XT_ALIGN(12)) 48 + comment (32 + 256) 288 + standard target 40
    assertThat(b.getShort(88)).as("target_offset").isEqualTo((short) (112 + 48 + 288));
    assertThat(b.getShort(90)).as("next_offset").isEqualTo((short) (112 + 48 + 288 + 40));
    assertThat(b.capacity()).isEqualTo(488);
    assertThat(new byte[] {b.get(4), b.get(5), b.get(6), b.get(7)})
        .as("dst, network order")
        .containsExactly(10, 96, 0, 10);
    assertThat(b.getInt(12)).as("dmsk").isEqualTo(-1);
    assertThat(b.getShort(80)).as("proto").isEqualTo((short) 6);
    assertThat(b.getShort(112)).as("tcp match_size").isEqualTo((short) 48);
    assertThat(name(b, 112)).isEqualTo("tcp");
    assertThat(b.getShort(112 + 32 + 4)).as("dpts[0], host order").isEqualTo((short) 80);
    assertThat(b.getShort(112 + 32 + 2)).as("spts[1]").isEqualTo((short) 0xffff);
    assertThat(name(b, 160)).isEqualTo("comment");
    assertThat(name(b, 448)).isEqualTo("BERTH-SVC-CDGGSHYLG3RE2FKL");
  }

  @Test
  void ipv6EntriesAre168BytesAndFlagTheProtocol() {
    ByteBuffer b =
        encode(
            "-A BERTH-SEP-X -p tcp -m tcp -j DNAT --to-destination [fd00:1:0:0:0:0:0:2]:8080",
            IpFamily.IPV6);
    // ip6t_entry 168 + tcp 48 + DNAT rev 2 (32 + nf_nat_range2 44 → 48) 80
    assertThat(b.getShort(140)).as("target_offset").isEqualTo((short) (168 + 48));
    assertThat(b.getShort(142)).as("next_offset").isEqualTo((short) (168 + 48 + 80));
    assertThat(b.get(131)).as("IP6T_F_PROTO").isEqualTo((byte) 1);
    int t = 168 + 48;
    assertThat(name(b, t)).isEqualTo("DNAT");
    assertThat(b.get(t + 31)).as("revision").isEqualTo((byte) 2);
    assertThat(b.getInt(t + 32)).as("MAP_IPS | PROTO_SPECIFIED").isEqualTo(3);
    assertThat(b.get(t + 32 + 4)).isEqualTo((byte) 0xfd);
    assertThat(b.order(ByteOrder.BIG_ENDIAN).getShort(t + 32 + 36))
        .as("min_proto, network order")
        .isEqualTo((short) 8080);
  }

  @Test
  void extensionSizesFollowXtAlign() {
    ByteBuffer stat =
        encode(
            "-A C -m statistic --mode random --probability 0.5000000000 -j BERTH-SEP-A",
            IpFamily.IPV4);
    assertThat(stat.getShort(112)).as("statistic: 32 + 24").isEqualTo((short) 56);
    assertThat(stat.getInt(112 + 32 + 4)).as("lround(2^31 * 0.5)").isEqualTo(0x40000000);
    ByteBuffer ct =
        encode(
            "-A BERTH-SERVICES -p tcp -m conntrack --ctorigdst 192.0.2.1 --ctorigdstport 80 -j"
                + " BERTH-FW-A",
            IpFamily.IPV4);
    assertThat(ct.getShort(112)).as("conntrack v3: 32 + 168").isEqualTo((short) 200);
    ByteBuffer recent =
        encode(
            "-A C -m recent --name BERTH-SEP-A --mask 255.255.255.255 --rsource --rcheck"
                + " --seconds 600 --reap -j BERTH-SEP-A",
            IpFamily.IPV4);
    assertThat(recent.getShort(112)).as("recent v1: 32 + 232").isEqualTo((short) 264);
    assertThat(recent.get(112 + 32 + 8)).as("CHECK | REAP").isEqualTo((byte) 0x21);
    ByteBuffer masq = encode("-A P -j MASQUERADE --random-fully", IpFamily.IPV4);
    assertThat(masq.getShort(112)).as("MASQUERADE compat range: 32 + 24").isEqualTo((short) 56);
  }

  @Test
  void everyGoldenRuleEncodes() throws Exception {
    for (String golden :
        new String[] {
          "clusterip-nodeport", "affinity-local", "source-ranges", "topology", "ipv6"
        }) {
      String text =
          Files.readString(Path.of("src/test/resources/golden/iptables", golden + ".rules"));
      IpFamily family = golden.equals("ipv6") ? IpFamily.IPV6 : IpFamily.IPV4;
      long rules = text.lines().filter(l -> l.startsWith("-A ")).count();
      assertThat(LibiptcTables.prepare(text, family).stream().mapToInt(t -> t.rules().size()).sum())
          .as(golden)
          .isEqualTo(rules);
    }
  }

  @Test
  void aRuleBerthCannotEncodeNamesLineAndServiceBeforeTouchingTheKernel() {
    String bad =
        "*nat\n:BERTH-SERVICES - [0:0]\n"
            + "-A BERTH-SERVICES -d 10.96.0.10/32 -p tcp -m tcp --dport 99999 -m comment"
            + " --comment \"shop/cart:http cluster IP\" -j RETURN\nCOMMIT\n";
    assertThatThrownBy(() -> LibiptcTables.prepare(bad, IpFamily.IPV4))
        .isInstanceOfSatisfying(
            TransactionFailedException.class,
            e -> {
              assertThat(e.offendingServices()).containsExactly("shop/cart:http");
              assertThat(e.errors().get(0).line()).isEqualTo(3);
              assertThat(e.errors().get(0).message()).contains("port 99999");
            });
  }

  @Test
  void unknownMatchesAndWrongFamiliesAreRefused() {
    assertThatThrownBy(
            () -> EntryEncoder.encode("-A C -m owner --uid-owner 0 -j DROP", IpFamily.IPV4))
        .hasMessageContaining("unknown match -m owner");
    assertThatThrownBy(() -> EntryEncoder.encode("-A C -d fd00::1/128 -j DROP", IpFamily.IPV4))
        .hasMessageContaining("is not an IPV4 address");
  }
}
