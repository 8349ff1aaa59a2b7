package io.berth.netfilter.conntrack;

import static io.berth.netfilter.model.Addresses.parse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.netfilter.model.IpFamily;
import io.berth.netfilter.model.Protocol;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ConntrackCleanerTest {
  private static final int UDP = 17;
  private static final int TCP = 6;
  private final FakeConntrackTable table = new FakeConntrackTable();
  private final ConntrackCleaner cleaner = new ConntrackCleaner(table);
  private int ids;

  /** An entry client → dst:dport whose reply comes from endpoint:eport (DNAT), plus its id. */
  private ConntrackEntry add(
      int proto, String client, String dst, int dport, String ep, int eport) {
    int sport = 40000 + ids;
    ConntrackEntry e =
        new ConntrackEntry(
            IpFamily.of(parse(client)),
            proto,
            new FlowTuple(parse(client), parse(dst), sport, dport),
            new FlowTuple(parse(ep), parse(client), eport, sport),
            ++ids,
            0);
    table.entries.add(e);
    return e;
  }

  @Test
  void byOriginalDestinationMatchesIpPortAndProtocolOnly() throws Exception {
    ConntrackEntry a = add(UDP, "192.168.77.2", "10.96.0.53", 53, "10.0.1.2", 5353);
    ConntrackEntry b = add(UDP, "192.168.77.3", "10.96.0.53", 53, "10.0.1.3", 5353);
    add(UDP, "192.168.77.2", "10.96.0.53", 54, "10.0.1.2", 5353); // other port
    add(TCP, "192.168.77.2", "10.96.0.53", 53, "10.0.1.2", 5353); // other protocol
    add(UDP, "192.168.77.2", "10.96.0.54", 53, "10.0.1.2", 5353); // other IP
    add(UDP, "fd00:77::2", "fd00:96::35", 53, "fd00:1::2", 5353); // other family

    int n =
        cleaner.deleteByOriginalDestination(IpFamily.IPV4, Protocol.UDP, parse("10.96.0.53"), 53);

    assertThat(n).isEqualTo(2);
    assertThat(table.deleted).containsExactly(a, b);
    assertThat(table.entries).hasSize(4);
  }

  @Test
  void byDestinationAndReplySourceOnlyHitsFlowsDnatedToThatEndpoint() throws Exception {
    ConntrackEntry toA = add(UDP, "192.168.77.2", "10.96.0.53", 53, "10.0.1.2", 5353);
    add(UDP, "192.168.77.3", "10.96.0.53", 53, "10.0.1.3", 5353);
    add(UDP, "192.168.77.2", "10.0.1.2", 5353, "10.0.1.2", 5353); // direct to the pod

    int n =
        cleaner.deleteByOriginalDestinationAndReplySource(
            IpFamily.IPV4, Protocol.UDP, parse("10.96.0.53"), 53, parse("10.0.1.2"));

    assertThat(n).isEqualTo(1);
    assertThat(table.deleted).containsExactly(toA);
  }

  @Test
  void byNodePortMatchesAnyLocalAddressAndIpv6() throws Exception {
    ConntrackEntry v4a = add(UDP, "192.168.77.2", "192.168.77.1", 30053, "10.0.1.2", 5353);
    ConntrackEntry v4b = add(UDP, "192.168.77.2", "10.0.1.1", 30053, "10.0.1.3", 5353);
    ConntrackEntry v6 = add(UDP, "fd00:77::2", "fd00:77::1", 30053, "fd00:1::2", 5353);
    add(UDP, "192.168.77.2", "192.168.77.1", 30054, "10.0.1.2", 5353);

    assertThat(cleaner.deleteByNodePort(IpFamily.IPV4, Protocol.UDP, 30053)).isEqualTo(2);
    assertThat(cleaner.deleteByNodePort(IpFamily.IPV6, Protocol.UDP, 30053)).isEqualTo(1);
    assertThat(table.deleted).containsExactly(v4a, v4b, v6);
  }

  @Test
  void byNodePortAndReplySource() throws Exception {
    ConntrackEntry toA = add(UDP, "192.168.77.2", "192.168.77.1", 30053, "10.0.1.2", 5353);
    add(UDP, "192.168.77.2", "192.168.77.1", 30053, "10.0.1.3", 5353);
    assertThat(
            cleaner.deleteByNodePortAndReplySource(
                IpFamily.IPV4, Protocol.UDP, 30053, parse("10.0.1.2")))
        .isEqualTo(1);
    assertThat(table.deleted).containsExactly(toA);
  }

  @Test
  void manyFiltersOneDumpPerFamilyAndAnEntryIsDeletedOnce() throws Exception {
    ConntrackEntry a = add(UDP, "192.168.77.2", "10.96.0.53", 53, "10.0.1.2", 5353);
    ConntrackEntry v6 = add(UDP, "fd00:77::2", "fd00:96::35", 53, "fd00:1::2", 5353);
    int n =
        cleaner.delete(
            List.of(
                FlowFilter.toDestination(Protocol.UDP, parse("10.96.0.53"), 53),
                FlowFilter.toDestinationViaEndpoint(
                    Protocol.UDP, parse("10.96.0.53"), 53, parse("10.0.1.2")),
                FlowFilter.toNodePort(IpFamily.IPV4, Protocol.UDP, 53),
                FlowFilter.toDestination(Protocol.UDP, parse("fd00:96::35"), 53)));
    assertThat(n).isEqualTo(2);
    assertThat(table.deleted).containsExactly(a, v6);
    assertThat(table.dumps).isEqualTo(2);
  }

  @Test
  void noFiltersNoDump() throws Exception {
    assertThat(cleaner.delete(List.of())).isZero();
    assertThat(table.dumps).isZero();
  }

  @Test
  void deleteErrorsNameTheFilterAndErrno() {
    add(UDP, "192.168.77.2", "10.96.0.53", 53, "10.0.1.2", 5353);
    table.failDeletesWithErrno = Errno.EPERM;
    assertThatThrownBy(
            () ->
                cleaner.deleteByOriginalDestination(
                    IpFamily.IPV4, Protocol.UDP, parse("10.96.0.53"), 53))
        .isInstanceOfSatisfying(
            ConntrackException.class,
            e -> {
              assertThat(e.errno()).isEqualTo(Errno.EPERM);
              assertThat(e.filter()).isEqualTo("ipv4 udp --orig-dst 10.96.0.53 --orig-port-dst 53");
            })
        .hasMessageContaining("errno 1 (EPERM)")
        .hasMessageContaining("src=192.168.77.2 dst=10.96.0.53 sport=40000 dport=53");
  }

  @Test
  void filtersRefuseToMatchEverythingAndMixedFamilies() {
    assertThatThrownBy(
            () ->
                new FlowFilter(IpFamily.IPV4, Protocol.UDP, Optional.empty(), 0, Optional.empty()))
        .hasMessageContaining("must name a destination");
    assertThatThrownBy(
            () ->
                cleaner.deleteByOriginalDestinationAndReplySource(
                    IpFamily.IPV4, Protocol.UDP, parse("10.96.0.53"), 53, parse("fd00:1::2")))
        .hasMessageContaining("fd00:1:0:0:0:0:0:2 is not IPV4");
  }

  @Test
  void closeClosesTheTable() {
    cleaner.close();
    assertThat(table.closed).isTrue();
  }
}
