package io.berth.agent.stats;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.agent.pod.PodLifecycleEventGenerator.RuntimeListing;
import io.berth.agent.testing.FakeClock;
import io.berth.cri.Container;
import io.berth.cri.ContainerMetadata;
import io.berth.cri.ContainerState;
import io.berth.cri.ContainerStatus;
import io.berth.cri.ImageSpec;
import io.berth.cri.PodSandbox;
import io.berth.cri.PodSandboxMetadata;
import io.berth.cri.PodSandboxState;
import io.berth.cri.PodSandboxStatus;
import io.berth.cri.RuntimeService;
import io.berth.metrics.PodRef;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The metrics inventory takes the PLEG's listing while it is fresh and asks the runtime otherwise;
 * either way only ready sandboxes and running containers become metrics inputs.
 */
class RuntimePodInventoryTest {
  private static final Instant T0 = Instant.parse("2026-11-24T21:00:00Z");

  private final FakeClock clock = new FakeClock(T0);
  private final List<String> calls = new ArrayList<>();
  private final List<PodSandbox> sandboxes =
      List.of(
          sandbox("s1", "web", PodSandboxState.READY),
          sandbox("s0", "old", PodSandboxState.NOT_READY));
  private final List<Container> containers =
      List.of(
          container("c1", "s1", ContainerState.RUNNING),
          container("c0", "s1", ContainerState.EXITED));
  private final RuntimeService runtime = fakeRuntime();

  @Test
  void aFreshPlegListingSavesTheListCalls() {
    RuntimeListing listing = new RuntimeListing(sandboxes, containers, T0);
    RuntimePodInventory inventory =
        new RuntimePodInventory(
            () -> runtime, () -> Optional.of(listing), clock, new ObjectMapper());
    clock.advance(Duration.ofMillis(1500));

    List<PodRef> pods = inventory.get();

    assertThat(calls).noneMatch(c -> c.startsWith("list"));
    assertThat(pods)
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.name()).isEqualTo("web");
              assertThat(p.cgroupPath()).isEqualTo("/kubepods/podweb");
              assertThat(p.containers())
                  .singleElement()
                  .satisfies(
                      c -> {
                        assertThat(c.id()).isEqualTo("c1");
                        assertThat(c.cgroupPath()).isEqualTo("/kubepods/podweb/c1");
                      });
            });
  }

  @Test
  void aStaleOrMissingListingMeansAskingTheRuntime() {
    RuntimeListing listing = new RuntimeListing(List.of(), List.of(), T0);
    clock.advance(RuntimePodInventory.MAX_LISTING_AGE.plusMillis(1));

    List<PodRef> stale =
        new RuntimePodInventory(
                () -> runtime, () -> Optional.of(listing), clock, new ObjectMapper())
            .get();
    List<PodRef> none = new RuntimePodInventory(() -> runtime).get();

    assertThat(calls.stream().filter(c -> c.startsWith("list"))).hasSize(4);
    assertThat(stale).singleElement().extracting(PodRef::name).isEqualTo("web");
    assertThat(none).singleElement().extracting(PodRef::name).isEqualTo("web");
  }

  private RuntimeService fakeRuntime() {
    return (RuntimeService)
        Proxy.newProxyInstance(
            getClass().getClassLoader(),
            new Class<?>[] {RuntimeService.class},
            (proxy, method, args) -> {
              calls.add(method.getName());
              return switch (method.getName()) {
                // the filters ask for READY / RUNNING: answer with what the runtime would
                case "listPodSandbox" ->
                    sandboxes.stream().filter(s -> s.state() == PodSandboxState.READY).toList();
                case "listContainers" ->
                    containers.stream().filter(c -> c.state() == ContainerState.RUNNING).toList();
                case "podSandboxStatus" -> sandboxStatus((String) args[0]);
                case "containerStatus" -> containerStatus((String) args[0]);
                default -> throw new UnsupportedOperationException(method.getName());
              };
            });
  }

  private static PodSandbox sandbox(String id, String name, PodSandboxState state) {
    return new PodSandbox(
        id,
        new PodSandboxMetadata(name, "uid-" + name, "default", 0),
        state,
        T0,
        Map.of(),
        Map.of(),
        "");
  }

  private static Container container(String id, String sandbox, ContainerState state) {
    return new Container(
        id,
        sandbox,
        new ContainerMetadata("app", 0),
        new ImageSpec("busybox", Map.of()),
        "sha256:1",
        state,
        T0,
        Map.of(),
        Map.of());
  }

  private static PodSandboxStatus sandboxStatus(String id) {
    String name = id.equals("s1") ? "web" : "old";
    return new PodSandboxStatus(
        id,
        new PodSandboxMetadata(name, "uid-" + name, "default", 0),
        PodSandboxState.READY,
        T0,
        "10.0.0.2",
        List.of(),
        null,
        Map.of(),
        Map.of(),
        "",
        Map.of(
            "info",
            "{\"pid\": 42, \"config\": {\"linux\": {\"cgroup_parent\": \"/kubepods/pod"
                + name
                + "\"}}}"));
  }

  private static ContainerStatus containerStatus(String id) {
    return new ContainerStatus(
        id,
        new ContainerMetadata("app", 0),
        ContainerState.RUNNING,
        T0,
        T0,
        null,
        0,
        new ImageSpec("busybox", Map.of()),
        "sha256:1",
        "",
        "",
        Map.of(),
        Map.of(),
        List.of(),
        "",
        null,
        Map.of(
            "info",
            "{\"runtimeSpec\": {\"linux\": {\"cgroupsPath\": \"/kubepods/podweb/" + id + "\"}}}"));
  }
}
