package io.berth.netfilter.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.netfilter.internal.LibNftables;
import io.berth.netfilter.internal.Native;
import io.berth.netfilter.internal.NetworkNamespace;
import io.berth.netfilter.lab.Sh;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Run-time detection inside a namespace this test creates (the host is never probed). */
class BackendDetectorIT {
  private static final String NS = "berth-nf-detect";
  private BackendDetector detector;

  @BeforeEach
  void setUp() {
    Sh.check("ip", "netns", "add", NS);
    detector =
        new BackendDetector(
            Native::loadNftables, Native.loadLibC(), new NetworkNamespace(Native.loadLibC()));
  }

  @AfterEach
  void tearDown() {
    Sh.check("ip", "netns", "del", NS);
  }

  private Detection detect() throws Exception {
    return detector.detect(Optional.of(Path.of("/run/netns", NS)));
  }

  @Test
  void freshNamespaceHasNftablesNoIpvsAndDefaultsToIptablesNft() throws Exception {
    Detection d = detect();

    assertThat(d.nftables().available()).as(d.summary()).isTrue();
    assertThat(d.choose()).isEqualTo(Detection.BackendKind.NFTABLES);
    assertThat(d.ipvs().available()).isFalse();
    assertThat(d.ipvs().reason())
        .isEqualTo(
            "IPVS not available: kernel has no ip_vs (generic netlink family IPVS not found,"
                + " /proc/net/ip_vs absent)");
    assertThat(d.iptables()).isEqualTo(new IptablesMode(IptablesMode.Flavour.NFT, 0, 0));
    // The probe leaves nothing behind.
    assertThat(Sh.check("ip", "netns", "exec", NS, "nft", "list", "tables")).isEmpty();
  }

  @Test
  void legacyRulesWinOverAnEmptyNftSide() throws Exception {
    Sh.check("ip", "netns", "exec", NS, "iptables-legacy", "-t", "nat", "-N", "KUBE-CANARY");
    Sh.check(
        "ip",
        "netns",
        "exec",
        NS,
        "iptables-legacy",
        "-A",
        "INPUT",
        "-p",
        "tcp",
        "--dport",
        "9",
        "-j",
        "ACCEPT");

    Detection d = detect();

    assertThat(d.iptables().flavour()).isEqualTo(IptablesMode.Flavour.LEGACY);
    assertThat(d.iptables().legacyRules()).isGreaterThanOrEqualTo(2);
  }

  @Test
  void iptablesNftRulesAreCounted() throws Exception {
    Sh.check(
        "ip",
        "netns",
        "exec",
        NS,
        "iptables-nft",
        "-A",
        "INPUT",
        "-p",
        "tcp",
        "--dport",
        "9",
        "-j",
        "ACCEPT");

    Detection d = detect();

    assertThat(d.iptables().flavour()).isEqualTo(IptablesMode.Flavour.NFT);
    assertThat(d.iptables().nftRules()).isPositive();
  }

  @Test
  void missingLibnftablesIsReportedNotThrown() throws Exception {
    BackendDetector broken =
        new BackendDetector(
            () -> {
              throw new UnsatisfiedLinkError("no " + LibNftables.LIBRARY + " here");
            },
            Native.loadLibC(),
            new NetworkNamespace(Native.loadLibC()));

    Detection d = broken.detect(Optional.of(Path.of("/run/netns", NS)));

    assertThat(d.nftables().available()).isFalse();
    assertThat(d.nftables().reason()).contains("cannot load libnftables.so.1");
    // without nftables the iptables tools of the detected flavour are the fallback
    assertThat(d.iptablesTools().available()).as(d.iptablesTools().reason()).isTrue();
    assertThat(d.iptablesTools().reason()).startsWith("iptables-").endsWith("-save -t nat works");
    assertThat(d.choose()).isEqualTo(Detection.BackendKind.IPTABLES);
  }
}
