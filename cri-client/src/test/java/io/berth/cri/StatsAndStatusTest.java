package io.berth.cri;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.cri.v1.ListContainerStatsRequest;
import io.berth.cri.v1.ListPodSandboxStatsRequest;
import io.berth.cri.v1.UpdateRuntimeConfigRequest;
import io.berth.cri.v1.VersionRequest;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StatsAndStatusTest extends FakeCriTestBase {
  static final Instant STATS_TIME = Instant.parse("2023-11-14T22:13:20.123456789Z");

  @Test
  void containerStatsMapsCpuMemoryAndWritableLayer() {
    String sb = runtime.runPodSandbox(sandboxConfig("web"));
    String id = runtime.createContainer(sb, containerConfig("app"), null);

    ContainerStats stats = runtime.containerStats(id);

    assertThat(stats.id()).isEqualTo(id);
    assertThat(stats.metadata()).isEqualTo(new ContainerMetadata("app", 0));
    assertThat(stats.labels()).containsEntry("io.kubernetes.container.name", "app");
    assertThat(stats.cpu()).isEqualTo(new CpuUsage(STATS_TIME, 5_000_000_000L, 250_000_000L));
    assertThat(stats.memory())
        .isEqualTo(new MemoryUsage(STATS_TIME, 8L << 20, null, 10L << 20, 6L << 20, 1234L, 5L));
    assertThat(stats.writableLayer())
        .isEqualTo(new FilesystemUsage(STATS_TIME, "/var/lib/containerd", 4096L, 3L));
  }

  @Test
  void statsPartsTheRuntimeDidNotSendAreNull() {
    String sb = runtime.runPodSandbox(sandboxConfig("web"));
    String id = runtime.createContainer(sb, containerConfig("app"), null);
    server.runtime().setStatsSource(cid -> io.berth.cri.v1.ContainerStats.getDefaultInstance());

    ContainerStats stats = runtime.containerStats(id);

    assertThat(stats.cpu()).isNull();
    assertThat(stats.memory()).isNull();
    assertThat(stats.writableLayer()).isNull();
  }

  @Test
  void listContainerStatsSendsTheFilter() {
    String a = runtime.runPodSandbox(sandboxConfig("a"));
    String b = runtime.runPodSandbox(sandboxConfig("b"));
    String ca = runtime.createContainer(a, containerConfig("x"), null);
    runtime.createContainer(b, containerConfig("y"), null);

    assertThat(runtime.listContainerStats(ContainerStatsFilter.all())).hasSize(2);
    assertThat(runtime.listContainerStats(ContainerStatsFilter.inSandbox(a)))
        .extracting(ContainerStats::id)
        .containsExactly(ca);
    assertThat(
            server
                .runtime()
                .calls()
                .lastRequest(ListContainerStatsRequest.class)
                .getFilter()
                .getPodSandboxId())
        .isEqualTo(a);
  }

  @Test
  void podSandboxStatsMapsCpuMemoryNetworkProcessesAndContainers() {
    String sb = runtime.runPodSandbox(sandboxConfig("web"));
    String id = runtime.createContainer(sb, containerConfig("app"), null);
    Instant t = Instant.parse("2023-11-14T22:13:20Z");

    PodSandboxStats stats = runtime.podSandboxStats(sb);

    assertThat(stats.id()).isEqualTo(sb);
    assertThat(stats.metadata().name()).isEqualTo("web");
    assertThat(stats.labels()).containsEntry("io.kubernetes.pod.name", "web");
    assertThat(stats.cpu()).isEqualTo(new CpuUsage(t, 7_000_000_000L, null));
    assertThat(stats.memory().workingSetBytes()).isEqualTo(16L << 20);
    assertThat(stats.network().timestamp()).isEqualTo(t);
    assertThat(stats.network().defaultInterface())
        .isEqualTo(new NetworkUsage.InterfaceUsage("eth0", 1000L, 0L, 2000L, 1L));
    assertThat(stats.network().interfaces()).isEmpty();
    assertThat(stats.processCount()).isEqualTo(3L);
    assertThat(stats.containers()).extracting(ContainerStats::id).containsExactly(id);
  }

  @Test
  void listPodSandboxStatsSendsTheFilter() {
    runtime.runPodSandbox(sandboxConfig("a"));
    String b = runtime.runPodSandbox(sandboxConfig("b"));

    var selected =
        runtime.listPodSandboxStats(
            new PodSandboxStatsFilter("", Map.of("io.kubernetes.pod.name", "b")));

    assertThat(selected).extracting(PodSandboxStats::id).containsExactly(b);
    assertThat(runtime.listPodSandboxStats(PodSandboxStatsFilter.all())).hasSize(2);
    assertThat(
            server
                .runtime()
                .calls()
                .lastRequest(ListPodSandboxStatsRequest.class)
                .getFilter()
                .getLabelSelectorMap())
        .isEmpty();
  }

  @Test
  void versionAnnouncesTheKubeletApiVersion() {
    assertThat(cri.version()).isEqualTo(new VersionInfo("0.1.0", "fake-cri", "1.0.0", "v1"));
    assertThat(runtime.version().runtimeApiVersion()).isEqualTo("v1");
    assertThat(server.runtime().calls().lastRequest(VersionRequest.class).getVersion())
        .isEqualTo("0.1.0");
    assertThat(cri.toString()).isEqualTo("CriRuntime[" + server.endpoint() + ", fake-cri 1.0.0]");
  }

  @Test
  void statusMapsConditions() {
    RuntimeStatus status = runtime.status();

    assertThat(status.runtimeReady()).isTrue();
    assertThat(status.networkReady()).isFalse();
    assertThat(status.condition(RuntimeCondition.NETWORK_READY))
        .hasValue(
            new RuntimeCondition(
                "NetworkReady",
                false,
                "NetworkPluginNotReady",
                "Network plugin returns error: cni plugin not initialized"));
    assertThat(status.info()).isEmpty();
    assertThat(runtime.status(true).info()).containsKey("config");
  }

  @Test
  void updateRuntimeConfigSendsThePodCidr() {
    runtime.updateRuntimeConfig("10.88.0.0/16");

    assertThat(
            server
                .runtime()
                .calls()
                .lastRequest(UpdateRuntimeConfigRequest.class)
                .getRuntimeConfig()
                .getNetworkConfig()
                .getPodCidr())
        .isEqualTo("10.88.0.0/16");
  }
}
