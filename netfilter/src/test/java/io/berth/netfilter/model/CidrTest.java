package io.berth.netfilter.model;

import static io.berth.netfilter.model.Addresses.parse;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CidrTest {
  @Test
  void containsMatchesThePrefixBitsOfItsFamilyOnly() {
    Cidr twelve = Cidr.parse("10.0.0.0/12");
    assertThat(twelve.contains(parse("10.15.255.255"))).isTrue();
    assertThat(twelve.contains(parse("10.16.0.0"))).isFalse();
    assertThat(twelve.contains(parse("::ffff:10.0.0.1"))).isTrue(); // Java maps it to IPv4
    assertThat(twelve.contains(parse("fd00::1"))).isFalse();
    assertThat(Cidr.parse("0.0.0.0/0").contains(parse("203.0.113.9"))).isTrue();
    assertThat(Cidr.parse("192.0.2.1/32").contains(parse("192.0.2.2"))).isFalse();
    assertThat(Cidr.parse("fd00:10:244::/56").contains(parse("fd00:10:244:ff::1"))).isTrue();
    assertThat(Cidr.parse("fd00:10:244::/56").contains(parse("fd00:10:244:100::1"))).isFalse();
  }
}
