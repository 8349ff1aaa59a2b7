package io.berth.netfilter.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.netfilter.internal.LibNftables;
import io.berth.netfilter.internal.Native;
import io.berth.netfilter.internal.NetworkNamespace;
import io.berth.netfilter.lab.Sh;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Run-time detection inside a namespace this test creates (the host is never probed). The iptables
 * flavour is read from the kernel (nfnetlink, libiptc); the iptables binaries only set up the
 * tables the detector then reads.
 */
class BackendDetectorIT {
  private static final String NS =
      "berth-nf-detect-"
          + Integer.toHexString(
              java.util.concurrent.ThreadLocalRandom.current().nextInt(0x100000, 0xffffff));
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
    assertThat(d.iptables().flavour()).isEqualTo(IptablesMode.Flavour.NFT);
    assertThat(d.iptables().legacyRules()).isZero();
    assertThat(d.iptables().nftRules()).isZero();
    assertThat(d.iptables().reason()).contains("nft by default");
    // The probe leaves nothing behind.
    assertThat(Sh.check("ip", "netns", "exec", NS, "nft", "list", "tables")).isEmpty();
  }

  private static void sh(String cmdline) {
    List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", NS));
    cmd.addAll(List.of(cmdline.split(" ")));
    Sh.check(cmd.toArray(String[]::new));
  }

  @Test
  void kubeRulesInLegacyWinOverMoreRulesInIptablesNft() throws Exception {
    sh("iptables-legacy -t nat -N KUBE-SERVICES");
    sh("iptables-legacy -t nat -A PREROUTING -j KUBE-SERVICES");
    sh("iptables-legacy -t nat -A KUBE-SERVICES -d 10.96.0.1/32 -j RETURN");
    for (int port = 1; port <= 5; port++) {
      sh("iptables-nft -A INPUT -p tcp --dport " + port + " -j ACCEPT");
    }

    Detection d = detect();

    assertThat(d.iptables().flavour()).as(d.summary()).isEqualTo(IptablesMode.Flavour.LEGACY);
    assertThat(d.iptables().legacyRules()).isEqualTo(2);
    assertThat(d.iptables().nftRules()).isZero();
    assertThat(d.iptables().reason()).isEqualTo("more KUBE-/BERTH- rules");
  }

  @Test
  void aKubeHintChainInIptablesNftMeansNft() throws Exception {
    sh("iptables-legacy -A INPUT -p tcp --dport 9 -j ACCEPT");
    sh("iptables-nft -t mangle -N KUBE-IPTABLES-HINT");

    Detection d = detect();

    assertThat(d.iptables().flavour()).as(d.summary()).isEqualTo(IptablesMode.Flavour.NFT);
    assertThat(d.iptables().reason()).contains("hint");
  }

  @Test
  void berthRulesInIptablesNftAreCountedOverNetlink() throws Exception {
    sh("iptables-legacy -A INPUT -p tcp --dport 9 -j ACCEPT");
    sh("iptables-nft -t nat -N BERTH-SERVICES");
    sh("iptables-nft -t nat -A OUTPUT -j BERTH-SERVICES");

    Detection d = detect();

    assertThat(d.iptables().flavour()).as(d.summary()).isEqualTo(IptablesMode.Flavour.NFT);
    assertThat(d.iptables().nftRules()).isEqualTo(1);
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
    // without nftables berth's in-process iptables-nft writer is the fallback (no binary needed)
    assertThat(d.iptablesTools().available()).as(d.iptablesTools().reason()).isTrue();
    assertThat(d.iptablesTools().reason())
        .contains("nft, in-process over nfnetlink")
        .endsWith("works");
    assertThat(d.choose()).isEqualTo(Detection.BackendKind.IPTABLES);
  }
}
