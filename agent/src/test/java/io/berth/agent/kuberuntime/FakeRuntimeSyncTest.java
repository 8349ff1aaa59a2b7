package io.berth.agent.kuberuntime;

import static io.berth.agent.kuberuntime.TestPods.*;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.agent.testing.FakeClock;
import io.berth.cri.ContainerFilter;
import io.berth.cri.ContainerState;
import io.berth.cri.ContainerStatus;
import io.berth.cri.CriRuntime;
import io.berth.cri.PodSandboxConfig;
import io.berth.cri.PodSandboxFilter;
import io.berth.cri.PodSandboxStatus;
import io.berth.cri.RuntimeService;
import io.berth.cri.fake.FakeCriServer;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pure core driven against cri-client's fake runtime by a minimal pod worker (the sync the real
 * pod worker will do): observe → compute actions → CRI calls, until nothing is left to do.
 */
class FakeRuntimeSyncTest {
  @TempDir Path dir;
  final FakeClock clock = new FakeClock(T0);
  FakeCriServer server;
  CriRuntime cri;
  MiniPodWorker worker;

  @BeforeEach
  void start() {
    server = FakeCriServer.start(dir.resolve("cri.sock"), clock);
    cri = CriRuntime.connect(server.endpoint());
    var node =
        new NodeContext(
            "node-a",
            List.of("192.168.1.10"),
            Map.of("cpu", new Quantity("2"), "memory", new Quantity("4Gi")),
            4L << 30);
    var settings =
        new RuntimeSettings(
            dir.resolve("logs").toString(),
            new CgroupNames("/berth-unit"),
            List.of("10.96.0.10"),
            "cluster.local",
            null);
    worker =
        new MiniPodWorker(
            cri.runtime(),
            clock,
            new SandboxConfigs(settings),
            new ContainerConfigs(
                node,
                ConfigSource.NONE,
                HASH,
                new ObjectMapper(),
                Path.of("/var/lib/berth/seccomp")),
            new ComputePodActions(HASH),
            new CrashLoopBackoff(clock, HASH));
  }

  @AfterEach
  void stop() {
    cri.close();
    server.close();
  }

  @Test
  void createsRestartsBacksOffAndRecreatesOnSpecChange() {
    Pod pod = pod(List.of(container("app"), container("side")), List.of(container("init")));

    // 1st sync: sandbox + init container; init exits 0; 2nd sync: the two containers
    PodActions first = worker.sync(pod);
    assertThat(first.createSandbox()).isTrue();
    assertThat(first.initContainersToStart()).containsExactly("init");
    server.runtime().exitContainer(worker.id("init"), 0, "Completed");
    clock.advance(Duration.ofSeconds(1));
    assertThat(worker.sync(pod).containersToStart()).containsExactly("app", "side");
    assertThat(worker.sync(pod).isNoop()).isTrue();

    ContainerStatus app = worker.status("app");
    assertThat(app.state()).isEqualTo(ContainerState.RUNNING);
    assertThat(app.labels())
        .containsEntry(RuntimeLabels.POD_UID, UID)
        .containsEntry(RuntimeLabels.CONTAINER_NAME, "app");
    assertThat(app.annotations())
        .containsEntry(RuntimeLabels.CONTAINER_HASH, HASH.of(pod.getSpec().getContainers().get(0)));
    assertThat(app.logPath()).endsWith("/new_foo_" + UID + "/app/0.log");

    // app crashes: restarted at once with restart count 1
    server.runtime().exitContainer(worker.id("app"), 1, "Error");
    clock.advance(Duration.ofSeconds(1));
    assertThat(worker.sync(pod).containersToStart()).containsExactly("app");
    assertThat(worker.status("app").annotations())
        .containsEntry(RuntimeLabels.CONTAINER_RESTART_COUNT, "1");
    assertThat(worker.status("app").logPath()).endsWith("/app/1.log");

    // crashes again: CrashLoopBackOff for 10 s, then restarted
    server.runtime().exitContainer(worker.id("app"), 1, "Error");
    clock.advance(Duration.ofSeconds(1));
    worker.sync(pod);
    assertThat(worker.lastBackOff).startsWith("back-off 10s restarting failed container=app");
    assertThat(worker.status("app").state()).isEqualTo(ContainerState.EXITED);
    clock.advance(Duration.ofSeconds(10));
    worker.sync(pod);
    assertThat(worker.status("app").state()).isEqualTo(ContainerState.RUNNING);
    assertThat(worker.status("app").annotations())
        .containsEntry(RuntimeLabels.CONTAINER_RESTART_COUNT, "2");

    // a new image: the old container is killed and a new one started
    Pod updated =
        PodDefaults.apply(
            new PodBuilder(pod)
                .editSpec()
                .editContainer(0)
                .withImage("busybox:1.37")
                .endContainer()
                .endSpec()
                .build());
    String oldId = worker.id("app");
    PodActions change = worker.sync(updated);
    assertThat(change.containersToKill()).containsKey(oldId);
    assertThat(change.containersToKill().get(oldId).reason())
        .isEqualTo(PodActions.KillReason.SPEC_CHANGED);
    assertThat(worker.status("app").image().image()).isEqualTo("busybox:1.37");
    assertThat(worker.sync(updated).isNoop()).isTrue();

    // the sandbox dies: everything is recreated in attempt 1, init first
    cri.runtime().stopPodSandbox(worker.observe().sandboxes().get(0).id());
    clock.advance(Duration.ofSeconds(1));
    PodActions again = worker.sync(updated);
    assertThat(again.killPod()).isTrue();
    assertThat(again.createSandbox()).isTrue();
    assertThat(again.attempt()).isEqualTo(1);
    assertThat(again.initContainersToStart()).containsExactly("init");
  }

  /** The shape of a pod worker's sync, reduced to what the test needs. */
  static final class MiniPodWorker {
    final RuntimeService rt;
    final FakeClock clock;
    final SandboxConfigs sandboxes;
    final ContainerConfigs containers;
    final ComputePodActions compute;
    final CrashLoopBackoff backoff;
    Pod pod;
    String lastBackOff = "";

    MiniPodWorker(
        RuntimeService rt,
        FakeClock clock,
        SandboxConfigs sandboxes,
        ContainerConfigs containers,
        ComputePodActions compute,
        CrashLoopBackoff backoff) {
      this.rt = rt;
      this.clock = clock;
      this.sandboxes = sandboxes;
      this.containers = containers;
      this.compute = compute;
      this.backoff = backoff;
    }

    ObservedPod observe() {
      Map<String, String> sel = Map.of(RuntimeLabels.POD_UID, UID);
      List<PodSandboxStatus> sbs =
          rt.listPodSandbox(PodSandboxFilter.withLabels(sel)).stream()
              .map(s -> rt.podSandboxStatus(s.id()))
              .toList();
      List<ContainerStatus> cs =
          rt.listContainers(ContainerFilter.withLabels(sel)).stream()
              .map(c -> rt.containerStatus(c.id()))
              .toList();
      return RuntimeStateMapper.observe(UID, sbs, cs);
    }

    PodActions sync(Pod desired) {
      this.pod = desired;
      ObservedPod observed = observe();
      PodActions a = compute.compute(desired, observed, ProbeResults.none());
      if (a.killPod()) {
        for (var c : observed.containers()) {
          if (c.state() == ContainerState.RUNNING) {
            rt.stopContainer(c.id(), Duration.ofSeconds(30));
          }
        }
        for (var s : observed.sandboxes()) {
          rt.stopPodSandbox(s.id());
        }
      } else {
        a.containersToKill().keySet().forEach(id -> rt.stopContainer(id, Duration.ofSeconds(30)));
      }
      String sandboxId = a.sandboxId();
      List<String> podIps = observed.podIps();
      PodSandboxConfig sandbox = sandboxes.generate(desired, a.attempt());
      if (a.createSandbox()) {
        sandboxId = rt.runPodSandbox(sandbox);
        var st = rt.podSandboxStatus(sandboxId);
        podIps = List.of(st.ip());
        observed = ObservedPod.empty(UID); // the kubelet purges init containers here
      }
      List<Container> toStart = new ArrayList<>();
      for (String n : a.initContainersToStart()) {
        toStart.add(byName(desired.getSpec().getInitContainers(), n));
      }
      for (String n : a.containersToStart()) {
        toStart.add(byName(desired.getSpec().getContainers(), n));
      }
      ObservedPod before = observe();
      for (Container c : toStart) {
        if (backoff.check(desired, c, before) instanceof CrashLoopBackoff.Decision.Wait w) {
          lastBackOff = w.message();
          continue;
        }
        int restartCount = ContainerConfigs.nextRestartCount(before, c.getName());
        var cfg =
            containers.generate(desired, c, ContainerConfigs.StartContext.of(restartCount, podIps));
        String id = rt.createContainer(sandboxId, cfg, sandbox);
        rt.startContainer(id);
        clock.advance(Duration.ofMillis(10));
      }
      clock.advance(Duration.ofSeconds(1));
      return a;
    }

    ContainerStatus status(String name) {
      return rt.containerStatus(id(name));
    }

    String id(String name) {
      return observe().latest(name).orElseThrow().id();
    }

    private static Container byName(List<Container> list, String name) {
      return list.stream().filter(c -> c.getName().equals(name)).findFirst().orElseThrow();
    }
  }
}
