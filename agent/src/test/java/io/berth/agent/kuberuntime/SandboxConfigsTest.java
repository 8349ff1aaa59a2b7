package io.berth.agent.kuberuntime;

import static io.berth.agent.kuberuntime.TestPods.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.cri.DnsConfig;
import io.berth.cri.NamespaceMode;
import io.berth.cri.NamespaceOptions;
import io.berth.cri.PodSandboxConfig;
import io.berth.cri.PortMapping;
import io.berth.cri.SecurityProfile;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodDNSConfigOption;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SandboxConfigsTest {
  static final DnsConfig HOST_DNS =
      new DnsConfig(List.of("192.168.1.1"), List.of("corp.example"), List.of("edns0"));
  static final RuntimeSettings SETTINGS =
      new RuntimeSettings(
          "/tmp/berth-logs",
          new CgroupNames("/berth-test"),
          List.of("10.96.0.10"),
          "cluster.local",
          HOST_DNS);
  final SandboxConfigs configs = new SandboxConfigs(SETTINGS);

  static PodBuilder edit(Pod pod) {
    return new PodBuilder(pod);
  }

  @Test
  void generatesTheKubeletsSandboxConfig() {
    Pod pod =
        edit(pod(
                List.of(
                    new ContainerBuilder(container("web"))
                        .addNewPort()
                        .withName("http")
                        .withContainerPort(80)
                        .withHostPort(8080)
                        .endPort()
                        .addNewPort()
                        .withContainerPort(53)
                        .withProtocol("UDP")
                        .endPort()
                        .build()),
                List.of()))
            .editMetadata()
            .withLabels(Map.of("app", "web", RuntimeLabels.POD_NAME, "spoof"))
            .withAnnotations(Map.of("a", "b"))
            .endMetadata()
            .editSpec()
            .editSecurityContext()
            .withRunAsUser(1000L)
            .withFsGroup(2000L)
            .withSupplementalGroups(3000L)
            .addNewSysctl()
            .withName("net/ipv4/ip_unprivileged_port_start")
            .withValue("0")
            .endSysctl()
            .endSecurityContext()
            .endSpec()
            .build();
    PodSandboxConfig c = configs.generate(pod, 2);
    assertThat(c.metadata().name()).isEqualTo("foo");
    assertThat(c.metadata().namespace()).isEqualTo("new");
    assertThat(c.metadata().uid()).isEqualTo(UID);
    assertThat(c.metadata().attempt()).isEqualTo(2);
    assertThat(c.hostname()).isEqualTo("foo");
    assertThat(c.logDirectory()).isEqualTo("/tmp/berth-logs/new_foo_" + UID);
    assertThat(c.labels())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "app",
                "web",
                RuntimeLabels.POD_NAME,
                "foo",
                RuntimeLabels.POD_NAMESPACE,
                "new",
                RuntimeLabels.POD_UID,
                UID));
    assertThat(c.annotations()).isEqualTo(Map.of("a", "b"));
    assertThat(c.portMappings())
        .containsExactly(
            new PortMapping(PortMapping.Protocol.TCP, 80, 8080, ""),
            new PortMapping(PortMapping.Protocol.UDP, 53, 0, ""));
    assertThat(c.dnsConfig())
        .isEqualTo(
            new DnsConfig(
                List.of("10.96.0.10"),
                List.of(
                    "new.svc.cluster.local", "svc.cluster.local", "cluster.local", "corp.example"),
                List.of("ndots:5")));
    var linux = c.linux();
    assertThat(linux.cgroupParent()).isEqualTo("/berth-test/besteffort/pod" + UID);
    assertThat(linux.sysctls()).isEqualTo(Map.of("net.ipv4.ip_unprivileged_port_start", "0"));
    var sc = linux.securityContext();
    assertThat(sc.namespaceOptions()).isEqualTo(NamespaceOptions.podDefaults());
    assertThat(sc.runAsUser()).isEqualTo(1000L);
    assertThat(sc.supplementalGroups()).containsExactly(2000L, 3000L);
    assertThat(sc.privileged()).isFalse();
    assertThat(sc.seccomp()).isEqualTo(SecurityProfile.runtimeDefault());
  }

  @Test
  void namespaceOptions() {
    Pod base = basicPod();
    assertThat(SandboxConfigs.namespaces(base))
        .isEqualTo(
            new NamespaceOptions(
                NamespaceMode.POD, NamespaceMode.CONTAINER, NamespaceMode.POD, ""));
    assertThat(
            SandboxConfigs.namespaces(
                    edit(base).editSpec().withShareProcessNamespace(true).endSpec().build())
                .pid())
        .isEqualTo(NamespaceMode.POD);
    assertThat(
            SandboxConfigs.namespaces(
                    edit(base)
                        .editSpec()
                        .withHostPID(true)
                        .withShareProcessNamespace(true)
                        .endSpec()
                        .build())
                .pid())
        .isEqualTo(NamespaceMode.NODE);
    var host =
        SandboxConfigs.namespaces(
            edit(base).editSpec().withHostNetwork(true).withHostIPC(true).endSpec().build());
    assertThat(host.network()).isEqualTo(NamespaceMode.NODE);
    assertThat(host.ipc()).isEqualTo(NamespaceMode.NODE);
  }

  @Test
  void hostNetworkPodsGetNoHostnameAndTheHostsDns() {
    Pod pod = edit(basicPod()).editSpec().withHostNetwork(true).endSpec().build();
    PodSandboxConfig c = configs.generate(pod, 0);
    assertThat(c.hostname()).isEmpty();
    assertThat(c.dnsConfig()).isEqualTo(HOST_DNS);
    assertThat(c.linux().securityContext().namespaceOptions().network())
        .isEqualTo(NamespaceMode.NODE);
    Pod withHostNet =
        edit(pod).editSpec().withDnsPolicy("ClusterFirstWithHostNet").endSpec().build();
    assertThat(configs.generate(withHostNet, 0).dnsConfig().servers())
        .containsExactly("10.96.0.10");
  }

  @Test
  void privilegedContainerMakesAPrivilegedSandbox() {
    Pod pod =
        pod(
            List.of(
                new ContainerBuilder(container("c"))
                    .withNewSecurityContext()
                    .withPrivileged(true)
                    .endSecurityContext()
                    .build()),
            List.of());
    assertThat(configs.generate(pod, 0).linux().securityContext().privileged()).isTrue();
  }

  @Test
  void hostnameFromSpecTruncatedAndAsFqdn() {
    Pod pod =
        edit(basicPod()).editSpec().withHostname("web-0").withSubdomain("web").endSpec().build();
    assertThat(configs.generate(pod, 0).hostname()).isEqualTo("web-0");
    Pod fqdn = edit(pod).editSpec().withSetHostnameAsFQDN(true).endSpec().build();
    assertThat(configs.generate(fqdn, 0).hostname()).isEqualTo("web-0.web.new.svc.cluster.local");
    String longName = "a".repeat(60) + "-.-bcd";
    Pod longPod = edit(basicPod()).editMetadata().withName(longName).endMetadata().build();
    assertThat(configs.generate(longPod, 0).hostname()).isEqualTo("a".repeat(60));
    Pod tooLong = edit(fqdn).editSpec().withHostname("h".repeat(40)).endSpec().build();
    assertThatThrownBy(() -> configs.generate(tooLong, 0))
        .hasMessageContaining("is too long (64 characters is the max, 66 characters requested)");
    Pod bad = edit(basicPod()).editSpec().withHostname("Not_A_Label").endSpec().build();
    assertThatThrownBy(() -> configs.generate(bad, 0))
        .hasMessageContaining("not a valid DNS label");
  }

  @Test
  void dnsPolicies() {
    Pod none =
        edit(basicPod())
            .editSpec()
            .withDnsPolicy("None")
            .withNewDnsConfig()
            .withNameservers("1.1.1.1")
            .withSearches("a.example")
            .withOptions(new PodDNSConfigOption("ndots", "2"))
            .endDnsConfig()
            .endSpec()
            .build();
    assertThat(PodDns.of(none, SETTINGS))
        .isEqualTo(new DnsConfig(List.of("1.1.1.1"), List.of("a.example"), List.of("ndots:2")));
    Pod def = edit(basicPod()).editSpec().withDnsPolicy("Default").endSpec().build();
    assertThat(PodDns.of(def, SETTINGS)).isEqualTo(HOST_DNS);
    Pod merged =
        edit(basicPod())
            .editSpec()
            .withNewDnsConfig()
            .withNameservers("10.96.0.10", "8.8.8.8")
            .withOptions(
                new PodDNSConfigOption("ndots", "1"),
                new PodDNSConfigOption("single-request", null))
            .endDnsConfig()
            .endSpec()
            .build();
    var d = PodDns.of(merged, SETTINGS);
    assertThat(d.servers()).containsExactly("10.96.0.10", "8.8.8.8");
    assertThat(d.options()).containsExactly("ndots:1", "single-request");
  }

  @Test
  void clusterFirstWithoutClusterDnsFallsBackToTheHost() {
    var noCluster = new RuntimeSettings(null, null, List.of(), "cluster.local", HOST_DNS);
    assertThat(PodDns.of(basicPod(), noCluster)).isEqualTo(HOST_DNS);
    var noResolvConf = new RuntimeSettings(null, null, List.of(), "", null);
    assertThat(PodDns.of(basicPod(), noResolvConf))
        .isEqualTo(new DnsConfig(List.of("127.0.0.1"), List.of("."), List.of()));
  }

  @ParameterizedTest(name = "{0} → {1}")
  @CsvSource({
    "net.ipv4.ip_forward,net.ipv4.ip_forward",
    "net/ipv4/ip_forward,net.ipv4.ip_forward",
    "net/ipv4/conf/eno2.100/rp_filter,net.ipv4.conf.eno2/100.rp_filter",
    "net.ipv4.conf.eno2/100.rp_filter,net.ipv4.conf.eno2/100.rp_filter",
    "kernel.shm_rmid_forced,kernel.shm_rmid_forced"
  })
  void sysctlNames(String in, String want) {
    assertThat(SandboxConfigs.normalizeSysctl(in)).isEqualTo(want);
  }

  @Test
  void duplicatePortNamesCountOnce() {
    Pod pod =
        pod(
            List.of(
                new ContainerBuilder(container("c"))
                    .addNewPort()
                    .withName("p")
                    .withContainerPort(80)
                    .endPort()
                    .addNewPort()
                    .withName("p")
                    .withContainerPort(81)
                    .endPort()
                    .addNewPort()
                    .withContainerPort(90)
                    .withHostIP("fd00::1")
                    .withHostPort(9090)
                    .endPort()
                    .build()),
            List.of());
    assertThat(SandboxConfigs.portMappings(pod))
        .containsExactly(
            new PortMapping(PortMapping.Protocol.TCP, 80, 0, ""),
            new PortMapping(PortMapping.Protocol.TCP, 90, 9090, "fd00::1"));
  }
}
