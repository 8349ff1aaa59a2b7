package io.berth.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.agent.proxy.ProxyMode;
import io.berth.agent.proxy.ServiceProxySettings;
import io.berth.netfilter.model.Cidr;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProxyFlagsTest {
  private static ServiceProxySettings parse(String... args) {
    return RunCommand.settings(CommandLine.parse(List.of(args))).proxy();
  }

  @Test
  void withoutServiceDirTheProxyIsOffWithKubeProxysDefaults() {
    ServiceProxySettings s = parse("run");
    assertThat(s.enabled()).isFalse();
    assertThat(s.mode()).isEqualTo(ProxyMode.AUTO);
    assertThat(s.healthzAddress()).isEqualTo(new InetSocketAddress("127.0.0.1", 10256));
    assertThat(s.syncPeriod()).isEqualTo(Duration.ofSeconds(30));
    assertThat(s.minSyncPeriod()).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void everyFlagIsRead() {
    ServiceProxySettings s =
        parse(
            "run",
            "--service-dir",
            "/etc/berth/services",
            "--proxy-mode=nftables",
            "--cluster-cidr",
            "10.244.0.0/16, fd00:10:244::/56",
            "--nodeport-addresses",
            "192.168.1.0/24",
            "--proxy-healthz-bind-address",
            "0.0.0.0:10266",
            "--proxy-sync-period",
            "1m30s",
            "--proxy-min-sync-period",
            "500ms");
    assertThat(s.enabled()).isTrue();
    assertThat(s.serviceDir()).isEqualTo(Path.of("/etc/berth/services"));
    assertThat(s.mode()).isEqualTo(ProxyMode.NFTABLES);
    assertThat(s.clusterCidrs())
        .containsExactly(Cidr.parse("10.244.0.0/16"), Cidr.parse("fd00:10:244::/56"));
    assertThat(s.nodePortAddresses()).containsExactly(Cidr.parse("192.168.1.0/24"));
    assertThat(s.healthzAddress()).isEqualTo(new InetSocketAddress("0.0.0.0", 10266));
    assertThat(s.syncPeriod()).isEqualTo(Duration.ofSeconds(90));
    assertThat(s.minSyncPeriod()).isEqualTo(Duration.ofMillis(500));
    assertThat(s.proxierSettings("n").proxyConfig().nodePortAddresses())
        .containsExactly(Cidr.parse("192.168.1.0/24"));
    assertThat(parse("run", "--service-dir", "/s", "--proxy-mode", "none").enabled()).isFalse();
  }

  @Test
  void cleanupTakesNoOptions() {
    var out = new java.io.ByteArrayOutputStream();
    var err = new java.io.ByteArrayOutputStream();
    int status =
        new BerthMain(new java.io.PrintStream(out), new java.io.PrintStream(err))
            .run(List.of("cleanup", "--all", "yes"));
    assertThat(status).isEqualTo(2);
    assertThat(err.toString()).startsWith("berth: unknown option --all for 'cleanup'");
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void badValuesAreUsageErrorsNamingTheFlag() {
    assertThatThrownBy(() -> parse("run", "--proxy-mode", "userspace"))
        .isInstanceOf(UsageException.class)
        .hasMessageContaining("--proxy-mode")
        .hasMessageContaining("auto, nftables, iptables, ipvs or none");
    assertThatThrownBy(() -> parse("run", "--cluster-cidr", "10.0.0.0"))
        .isInstanceOf(UsageException.class)
        .hasMessageContaining("--cluster-cidr")
        .hasMessageContaining("'10.0.0.0'");
    assertThatThrownBy(() -> parse("run", "--proxy-healthz-bind-address", "10256"))
        .isInstanceOf(UsageException.class)
        .hasMessageContaining("must be IP:PORT");
    assertThatThrownBy(() -> parse("run", "--proxy-sync-period", "30"))
        .isInstanceOf(UsageException.class)
        .hasMessageContaining("--proxy-sync-period must be a duration");
    assertThatThrownBy(
            () -> parse("run", "--proxy-sync-period", "1s", "--proxy-min-sync-period", "2s"))
        .isInstanceOf(UsageException.class)
        .hasMessageContaining("--proxy-min-sync-period <= --proxy-sync-period");
    assertThatThrownBy(() -> parse("run", "--service-dir", "services"))
        .isInstanceOf(UsageException.class)
        .hasMessageContaining("--service-dir must be an absolute path");
  }

  @Test
  void theConfigFilesModeIptablesBecomesTheDefaultMode() {
    io.berth.agent.nodeconfig.KubeProxyConfig d =
        io.berth.agent.nodeconfig.KubeProxyConfig.defaults();
    io.berth.agent.nodeconfig.KubeProxyConfig file =
        new io.berth.agent.nodeconfig.KubeProxyConfig(
            "iptables",
            d.clusterCIDRs(),
            d.nodePortAddresses(),
            d.healthzBindAddress(),
            d.metricsBindAddress(),
            d.masqueradeAll(),
            d.masqueradeBit(),
            d.syncPeriod(),
            d.minSyncPeriod());
    assertThat(ProxyFlags.fromFile(file).mode()).isEqualTo(ProxyMode.IPTABLES);
    assertThat(ProxyFlags.fromFile(d).mode()).isEqualTo(ProxyMode.NFTABLES);
  }
}
