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
            Availability.no("IPVS not available: kernel has no ip_vs"));
      }

      @Override
      public NetfilterBackend nftables() {
        asked.add("nftables");
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
      assertThat(p.state()).isEqualTo("off (nftables cannot load libnftables.so.1: not found)");
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
}
