package io.berth.agent.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.agent.testing.FakeClock;
import io.berth.netfilter.NetfilterBackend;
import io.berth.netfilter.conntrack.ConntrackCleaner;
import io.berth.netfilter.detect.Availability;
import io.berth.netfilter.detect.Detection;
import io.berth.netfilter.detect.IptablesMode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How {@code berth run} picks its data plane: auto falls back with a reason, nftables insists. */
class ServiceProxyTest {
  @TempDir Path dir;
  private final List<String> asked = new ArrayList<>();
  private boolean iptablesWorks;
  private boolean ipvsPresent;

  private DataPlane plane(boolean nftables) {
    return new DataPlane() {
      @Override
      public Detection detect() {
        asked.add("detect");
        return new Detection(
            nftables
                ? Availability.yes("libnftables.so.1 loaded, probe transaction applied")
                : Availability.no("cannot load libnftables.so.1: not found"),
            new IptablesMode(IptablesMode.Flavour.NFT, 0, 0),
            ipvsPresent
                ? Availability.yes("generic netlink family IPVS found (id 36)")
                : Availability.no(
                    "IPVS not available: kernel has no ip_vs (generic netlink family IPVS not"
                        + " found, /proc/net/ip_vs absent)"),
            nftables ? Availability.no("not probed: nftables works") : toolsAnswer());
      }

      @Override
      public NetfilterBackend nftables() {
        asked.add("nftables");
        return new FakeBackend();
      }

      @Override
      public Availability iptablesTools(IptablesMode.Flavour flavour) {
        asked.add("iptables tools " + flavour);
        return toolsAnswer();
      }

      private Availability toolsAnswer() {
        return iptablesWorks
            ? Availability.yes("iptables-nft-save -t nat works")
            : Availability.no("iptables-nft-save -t nat failed (exit 4): Permission denied");
      }

      @Override
      public NetfilterBackend iptables(IptablesMode.Flavour flavour) {
        asked.add("iptables " + flavour);
        return new FakeBackend();
      }

      @Override
      public ConntrackCleaner conntrack() {
        asked.add("conntrack");
        return new ConntrackCleaner(new StaleConntrackCleanupTest.InMemoryTable());
      }
    };
  }

  private ServiceProxySettings settings(ProxyMode mode, Path serviceDir) {
    return new ServiceProxySettings(
        mode,
        serviceDir,
        List.of(),
        List.of(),
        new InetSocketAddress("127.0.0.1", 0),
        Duration.ofSeconds(30),
        Duration.ofSeconds(1));
  }

  private ServiceProxy proxy(ProxyMode mode, Path serviceDir, boolean nftables) {
    return new ServiceProxy(
        settings(mode, serviceDir),
        "node-a",
        new FakeClock(),
        LocalPods.NONE,
        () -> plane(nftables));
  }

  @Test
  void withoutAServiceSourceOrInModeNoneTheDataPlaneIsNotEvenLookedAt() {
    try (ServiceProxy p = proxy(ProxyMode.AUTO, null, true)) {
      p.start(new SimpleMeterRegistry());
      assertThat(p.proxier()).isEmpty();
    }
    try (ServiceProxy p = proxy(ProxyMode.NONE, dir, true)) {
      p.start(new SimpleMeterRegistry());
      assertThat(p.proxier()).isEmpty();
      assertThat(p.state()).isEqualTo("off (--proxy-mode none)");
    }
    assertThat(asked).isEmpty();
  }

  @Test
  void autoWithoutNftablesRunsWithoutAProxyAndSaysWhy() {
    try (ServiceProxy p = proxy(ProxyMode.AUTO, dir, false)) {
      p.start(new SimpleMeterRegistry());
      assertThat(p.proxier()).isEmpty();
      assertThat(p.state())
          .isEqualTo(
              "off (nftables cannot load libnftables.so.1: not found; iptables iptables-nft-save"
                  + " -t nat failed (exit 4): Permission denied)");
    }
    assertThat(asked).containsExactly("detect");
  }

  @Test
  void nftablesModeWithoutNftablesRefusesToStart() {
    try (ServiceProxy p = proxy(ProxyMode.NFTABLES, dir, false)) {
      assertThatThrownBy(() -> p.start(new SimpleMeterRegistry()))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage(
              "--proxy-mode nftables, but nftables cannot load libnftables.so.1: not found");
    }
  }

  @Test
  void ipvsModeRefusesToStartWithTheDetectionsReason() {
    try (ServiceProxy p = proxy(ProxyMode.IPVS, dir, true)) {
      assertThatThrownBy(() -> p.start(new SimpleMeterRegistry()))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage(
              "--proxy-mode ipvs, but IPVS not available: kernel has no ip_vs (generic netlink"
                  + " family IPVS not found, /proc/net/ip_vs absent)");
    }
    ipvsPresent = true;
    try (ServiceProxy p = proxy(ProxyMode.IPVS, dir, true)) {
      assertThatThrownBy(() -> p.start(new SimpleMeterRegistry()))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageStartingWith(
              "--proxy-mode ipvs, but IPVS is present (generic netlink family IPVS found (id 36))"
                  + " but berth's IPVS back end is incomplete")
          .hasMessageContaining("no kube-ipvs0 VIP binding");
    }
    assertThat(asked).containsExactly("detect", "detect");
  }

  @Test
  void autoNeverPicksIpvsEvenWhereItIsTheOnlyDataPlane() {
    ipvsPresent = true;
    try (ServiceProxy p = proxy(ProxyMode.AUTO, dir, false)) {
      p.start(new SimpleMeterRegistry());
      assertThat(p.proxier()).isEmpty();
      assertThat(p.state()).startsWith("off (nftables cannot load libnftables.so.1");
    }
    assertThat(asked).containsExactly("detect");
  }

  @Test
  void withNftablesTheProxierRunsWithConntrackCleanupMetricsAndHealthz() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (ServiceProxy p = proxy(ProxyMode.AUTO, dir, true)) {
      p.start(registry);
      assertThat(p.proxier()).isPresent();
      assertThat(p.state()).isEqualTo(new FakeBackend().describe());
      assertThat(registry.find("kubeproxy.sync.proxy.rules.duration").timer()).isNotNull();
    }
    assertThat(asked).containsExactly("detect", "nftables", "conntrack");
  }

  /** An API source that records how it was started and lets the test deliver events. */
  private static final class FakeApi implements ServiceSource {
    ProxyEventHandler handler;
    Boolean withSlices;
    boolean closed;

    @Override
    public AutoCloseable start(ProxyEventHandler h, boolean slices) {
      handler = h;
      withSlices = slices;
      return () -> closed = true;
    }
  }

  @Test
  void apiServicesFeedTheEnvironmentEvenInModeNoneWithoutSlicesOrDataPlane() {
    FakeApi api = new FakeApi();
    try (ServiceProxy p = proxy(ProxyMode.NONE, null, true)) {
      p.start(new SimpleMeterRegistry(), java.util.Optional.of(api));
      assertThat(api.withSlices).isFalse();
      api.handler.onServiceAdd(TestObjects.web());
      assertThat(p.services()).extracting(s -> s.getMetadata().getName()).containsExactly("web");
      api.handler.onServiceDelete(TestObjects.web());
      assertThat(p.services()).isEmpty();
      assertThat(p.proxier()).isEmpty();
    }
    assertThat(api.closed).isTrue();
    assertThat(asked).isEmpty();
  }

  @Test
  void withAnApiSourceTheProxierGetsServicesAndSlicesFromIt() {
    FakeApi api = new FakeApi();
    try (ServiceProxy p = proxy(ProxyMode.AUTO, null, true)) {
      p.start(new SimpleMeterRegistry(), java.util.Optional.of(api));
      assertThat(api.withSlices).isTrue();
      api.handler.onServiceAdd(TestObjects.web());
      api.handler.onEndpointSliceAdd(TestObjects.webSlice(TestObjects.ready("10.0.1.2", "node-b")));
      assertThat(p.services()).hasSize(1);
      assertThat(p.proxier().orElseThrow().serviceChangeEvents()).isEqualTo(1);
      assertThat(p.proxier().orElseThrow().endpointChangeEvents()).isEqualTo(1);
    }
    assertThat(asked).containsExactly("detect", "nftables", "conntrack");
  }

  @Test
  void aServiceDirectoryAndAnApiSourceTogetherAreRefused() {
    try (ServiceProxy p = proxy(ProxyMode.AUTO, dir, true)) {
      assertThatThrownBy(
              () -> p.start(new SimpleMeterRegistry(), java.util.Optional.of(new FakeApi())))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("--service-dir " + dir + " and --kubeconfig both name");
    }
  }

  @Test
  void autoWithoutNftablesFallsBackToWorkingIptablesTools() {
    iptablesWorks = true;
    try (ServiceProxy p = proxy(ProxyMode.AUTO, dir, false)) {
      p.start(new SimpleMeterRegistry());
      assertThat(p.proxier()).isPresent();
    }
    assertThat(asked).containsExactly("detect", "iptables NFT", "conntrack");
  }

  @Test
  void iptablesModeUsesIptablesEvenWhereNftablesWorksAndRefusesWithoutItsTools() {
    iptablesWorks = true;
    try (ServiceProxy p = proxy(ProxyMode.IPTABLES, dir, true)) {
      p.start(new SimpleMeterRegistry());
      assertThat(p.proxier()).isPresent();
    }
    assertThat(asked).containsExactly("detect", "iptables tools NFT", "iptables NFT", "conntrack");
    iptablesWorks = false;
    try (ServiceProxy p = proxy(ProxyMode.IPTABLES, dir, true)) {
      assertThatThrownBy(() -> p.start(new SimpleMeterRegistry()))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage(
              "--proxy-mode iptables, but iptables iptables-nft-save -t nat failed (exit 4):"
                  + " Permission denied");
    }
  }
}
