package io.berth.cri;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.cri.v1.RunPodSandboxRequest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SandboxLifecycleTest extends FakeCriTestBase {

  @Test
  void runPodSandboxSendsEveryConfigField() {
    var config =
        PodSandboxConfig.builder(new PodSandboxMetadata("web", "u-1", "prod", 2))
            .hostname("web-host")
            .logDirectory("/var/log/pods/prod_web_u-1")
            .dnsConfig(
                new DnsConfig(
                    List.of("10.96.0.10"), List.of("prod.svc.cluster.local"), List.of("ndots:5")))
            .portMapping(new PortMapping(PortMapping.Protocol.UDP, 53, 5353, "127.0.0.1"))
            .labels(Map.of("app", "web"))
            .annotation("a", "b")
            .linux(
                new LinuxSandboxConfig(
                    "/kubepods/burstable/podu-1",
                    new SandboxSecurityContext(
                        NamespaceOptions.hostNetwork(),
                        1000L,
                        2000L,
                        true,
                        List.of(3000L),
                        false,
                        SecurityProfile.runtimeDefault()),
                    Map.of("net.ipv4.ip_unprivileged_port_start", "0")))
            .build();

    String id = runtime.runPodSandbox(config, "runc");

    assertThat(id).isEqualTo("sb-1");
    RunPodSandboxRequest req = server.runtime().calls().lastRequest(RunPodSandboxRequest.class);
    assertThat(req.getRuntimeHandler()).isEqualTo("runc");
    var c = req.getConfig();
    assertThat(c.getMetadata().getName()).isEqualTo("web");
    assertThat(c.getMetadata().getUid()).isEqualTo("u-1");
    assertThat(c.getMetadata().getNamespace()).isEqualTo("prod");
    assertThat(c.getMetadata().getAttempt()).isEqualTo(2);
    assertThat(c.getHostname()).isEqualTo("web-host");
    assertThat(c.getLogDirectory()).isEqualTo("/var/log/pods/prod_web_u-1");
    assertThat(c.getDnsConfig().getServersList()).containsExactly("10.96.0.10");
    assertThat(c.getDnsConfig().getSearchesList()).containsExactly("prod.svc.cluster.local");
    assertThat(c.getDnsConfig().getOptionsList()).containsExactly("ndots:5");
    var pm = c.getPortMappings(0);
    assertThat(pm.getProtocol()).isEqualTo(io.berth.cri.v1.Protocol.UDP);
    assertThat(pm.getContainerPort()).isEqualTo(53);
    assertThat(pm.getHostPort()).isEqualTo(5353);
    assertThat(pm.getHostIp()).isEqualTo("127.0.0.1");
    assertThat(c.getLabelsMap()).containsExactly(Map.entry("app", "web"));
    assertThat(c.getAnnotationsMap()).containsExactly(Map.entry("a", "b"));
    var linux = c.getLinux();
    assertThat(linux.getCgroupParent()).isEqualTo("/kubepods/burstable/podu-1");
    assertThat(linux.getSysctlsMap()).containsEntry("net.ipv4.ip_unprivileged_port_start", "0");
    var sc = linux.getSecurityContext();
    assertThat(sc.getNamespaceOptions().getNetwork()).isEqualTo(io.berth.cri.v1.NamespaceMode.NODE);
    assertThat(sc.getNamespaceOptions().getPid())
        .isEqualTo(io.berth.cri.v1.NamespaceMode.CONTAINER);
    assertThat(sc.getNamespaceOptions().getIpc()).isEqualTo(io.berth.cri.v1.NamespaceMode.POD);
    assertThat(sc.getRunAsUser().getValue()).isEqualTo(1000);
    assertThat(sc.getRunAsGroup().getValue()).isEqualTo(2000);
    assertThat(sc.getReadonlyRootfs()).isTrue();
    assertThat(sc.getSupplementalGroupsList()).containsExactly(3000L);
    assertThat(sc.getSeccomp().getProfileType())
        .isEqualTo(io.berth.cri.v1.SecurityProfile.ProfileType.RuntimeDefault);
  }

  @Test
  void unsetOptionalFieldsStayUnsetOnTheWire() {
    runtime.runPodSandbox(
        PodSandboxConfig.builder(new PodSandboxMetadata("p", "u", "ns", 0)).build());

    var c = server.runtime().calls().lastRequest(RunPodSandboxRequest.class).getConfig();
    assertThat(c.hasDnsConfig()).isFalse();
    assertThat(c.hasLinux()).isFalse();
    assertThat(server.runtime().calls().lastRequest(RunPodSandboxRequest.class).getRuntimeHandler())
        .isEmpty();
  }

  @Test
  void podSandboxStatusMapsEveryField() {
    String id = runtime.runPodSandbox(sandboxConfig("web"));

    PodSandboxStatus status = runtime.podSandboxStatus(id, true);

    assertThat(status.id()).isEqualTo(id);
    assertThat(status.metadata()).isEqualTo(new PodSandboxMetadata("web", "uid-web", "default", 0));
    assertThat(status.state()).isEqualTo(PodSandboxState.READY);
    assertThat(status.ready()).isTrue();
    assertThat(status.createdAt()).isEqualTo(NOW);
    assertThat(status.ip()).isEqualTo("10.88.0.2");
    assertThat(status.additionalIps()).containsExactly("fd00::2");
    assertThat(status.namespaces()).isEqualTo(NamespaceOptions.podDefaults());
    assertThat(status.labels()).containsEntry("io.kubernetes.pod.name", "web");
    assertThat(status.annotations()).containsEntry("berth.io/spec-hash", "abc123");
    assertThat(status.info().get("info"))
        .contains("\"cgroupsPath\":\"/kubepods/besteffort/poduid-web\"");
    assertThat(runtime.podSandboxStatus(id).info()).isEmpty();
  }

  @Test
  void hostNetworkSandboxHasNoIp() {
    var config =
        PodSandboxConfig.builder(new PodSandboxMetadata("h", "u-h", "kube-system", 0))
            .linux("/kubepods/podu-h", NamespaceOptions.hostNetwork())
            .build();
    String id = runtime.runPodSandbox(config);

    assertThat(runtime.podSandboxStatus(id).ip()).isEmpty();
    assertThat(runtime.podSandboxStatus(id).namespaces().network()).isEqualTo(NamespaceMode.NODE);
  }

  @Test
  void listPodSandboxFiltersByIdStateAndLabels() {
    String a = runtime.runPodSandbox(sandboxConfig("a"));
    String b = runtime.runPodSandbox(sandboxConfig("b"));
    runtime.stopPodSandbox(b);

    assertThat(runtime.listPodSandbox(PodSandboxFilter.all()))
        .extracting(PodSandbox::id)
        .containsExactly(a, b);
    assertThat(runtime.listPodSandbox(null)).hasSize(2);
    assertThat(runtime.listPodSandbox(PodSandboxFilter.all().inState(PodSandboxState.READY)))
        .extracting(PodSandbox::id)
        .containsExactly(a);
    assertThat(runtime.listPodSandbox(PodSandboxFilter.all().inState(PodSandboxState.NOT_READY)))
        .extracting(PodSandbox::id)
        .containsExactly(b);
    assertThat(
            runtime.listPodSandbox(
                PodSandboxFilter.withLabels(Map.of("io.kubernetes.pod.name", "b"))))
        .extracting(PodSandbox::id)
        .containsExactly(b);
    assertThat(runtime.listPodSandbox(new PodSandboxFilter(a, null, Map.of())))
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.metadata().name()).isEqualTo("a");
              assertThat(p.state()).isEqualTo(PodSandboxState.READY);
              assertThat(p.createdAt()).isEqualTo(NOW);
              assertThat(p.labels()).containsEntry("io.kubernetes.pod.uid", "uid-a");
              assertThat(p.annotations()).containsEntry("berth.io/spec-hash", "abc123");
            });
    var sent = server.runtime().calls().lastRequest(io.berth.cri.v1.ListPodSandboxRequest.class);
    assertThat(sent.getFilter().getId()).isEqualTo(a);
    assertThat(sent.getFilter().hasState()).isFalse();
  }

  @Test
  void stopAndRemoveSandbox() {
    String id = runtime.runPodSandbox(sandboxConfig("gone"));
    runtime.stopPodSandbox(id);
    assertThat(runtime.podSandboxStatus(id).state()).isEqualTo(PodSandboxState.NOT_READY);

    runtime.removePodSandbox(id);
    runtime.removePodSandbox(id); // idempotent

    assertThatThrownBy(() -> runtime.podSandboxStatus(id))
        .isInstanceOf(CriNotFoundException.class)
        .hasMessageStartingWith("PodSandboxStatus sb-1: not found: ")
        .hasMessageContaining("sandbox \"sb-1\"");
  }

  @Test
  void sameSandboxNameTwiceIsAlreadyExists() {
    runtime.runPodSandbox(sandboxConfig("dup"));

    assertThatThrownBy(() -> runtime.runPodSandbox(sandboxConfig("dup")))
        .isInstanceOf(CriAlreadyExistsException.class)
        .hasMessageStartingWith("RunPodSandbox default/dup (uid uid-dup): already exists: ")
        .hasMessageContaining("name is reserved for \"sb-1\"");
  }

  @Test
  void portForwardReturnsTheStreamingUrl() {
    String id = runtime.runPodSandbox(sandboxConfig("pf"));

    assertThat(runtime.portForward(id, List.of(8080, 9090)).url())
        .isEqualTo("http://127.0.0.1:10010/portforward/tok-" + id);
    assertThat(
            server
                .runtime()
                .calls()
                .lastRequest(io.berth.cri.v1.PortForwardRequest.class)
                .getPortList())
        .containsExactly(8080, 9090);
  }
}
