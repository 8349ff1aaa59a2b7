package io.berth.agent.stats;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.cri.Container;
import io.berth.cri.ContainerFilter;
import io.berth.cri.ContainerState;
import io.berth.cri.CriException;
import io.berth.cri.PodSandbox;
import io.berth.cri.PodSandboxFilter;
import io.berth.cri.PodSandboxState;
import io.berth.cri.RuntimeService;
import io.berth.metrics.ContainerRef;
import io.berth.metrics.PodRef;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runtime's ready sandboxes and running containers as cadvisor-metrics inputs.
 *
 * <p>Two list calls per collection. A sandbox's cgroup parent and pid, and a container's cgroup
 * path and start time, never change, so they are read once from the verbose status (containerd's
 * {@code info} JSON: {@code config.linux.cgroup_parent}, {@code pid}, {@code
 * runtimeSpec.linux.cgroupsPath}) and cached by id until the id disappears.
 *
 * <p>A sandbox or container that vanishes between list and status is left out of this collection
 * (debug log); a runtime that cannot be reached yields an empty list and a warning, never a failed
 * scrape.
 */
public final class RuntimePodInventory implements Supplier<List<PodRef>> {
  private static final Logger log = LoggerFactory.getLogger(RuntimePodInventory.class);
  // parsed on the pods' long-lived worker threads: one shared buffer pool, not Jackson's default
  // thread-local one, which would keep buffers for every pod's worker
  private static final ObjectMapper JSON =
      new ObjectMapper(
          JsonFactory.builder()
              .recyclerPool(JsonRecyclerPools.sharedConcurrentDequePool())
              .build());

  private record SandboxFacts(String cgroupParent, OptionalLong pid) {}

  private record ContainerFacts(String cgroupPath, Instant startedAt) {}

  private final Supplier<RuntimeService> runtime;
  private final Map<String, SandboxFacts> sandboxes = new ConcurrentHashMap<>();
  private final Map<String, ContainerFacts> containers = new ConcurrentHashMap<>();

  /** {@code runtime} gives the connected runtime, or throws CriException while there is none. */
  public RuntimePodInventory(Supplier<RuntimeService> runtime) {
    this.runtime = runtime;
  }

  @Override
  public List<PodRef> get() {
    RuntimeService rt;
    List<PodSandbox> ready;
    Map<String, List<Container>> running;
    try {
      rt = runtime.get();
      ready = rt.listPodSandbox(PodSandboxFilter.all().inState(PodSandboxState.READY));
      running =
          rt.listContainers(ContainerFilter.all().inState(ContainerState.RUNNING)).stream()
              .collect(Collectors.groupingBy(Container::podSandboxId));
    } catch (CriException e) {
      log.warn("no pods for metrics this scrape: {}", e.getMessage());
      return List.of();
    }
    Set<String> liveSandboxes = new HashSet<>();
    Set<String> liveContainers = new HashSet<>();
    List<PodRef> pods = new ArrayList<>();
    for (PodSandbox sandbox : ready) {
      liveSandboxes.add(sandbox.id());
      SandboxFacts facts = sandboxFacts(rt, sandbox.id());
      if (facts == null) {
        continue;
      }
      List<ContainerRef> refs = new ArrayList<>();
      for (Container c : running.getOrDefault(sandbox.id(), List.of())) {
        liveContainers.add(c.id());
        ContainerFacts cf = containerFacts(rt, c.id());
        if (cf != null) {
          refs.add(
              new ContainerRef(
                  c.metadata().name(), c.id(), c.image().image(), cf.cgroupPath(), cf.startedAt()));
        }
      }
      var meta = sandbox.metadata();
      pods.add(
          new PodRef(
              meta.uid(),
              meta.name(),
              meta.namespace(),
              facts.cgroupParent(),
              facts.pid(),
              sandbox.createdAt(),
              refs));
    }
    sandboxes.keySet().retainAll(liveSandboxes);
    containers.keySet().retainAll(liveContainers);
    return pods;
  }

  private SandboxFacts sandboxFacts(RuntimeService rt, String id) {
    SandboxFacts known = sandboxes.get(id);
    if (known != null) {
      return known;
    }
    try {
      JsonNode info = info(rt.podSandboxStatus(id, true).info(), "sandbox " + id);
      String parent = info.at("/config/linux/cgroup_parent").asText("");
      if (parent.isEmpty()) {
        log.debug("sandbox {} has no cgroup parent in its verbose status; left out", id);
        return null;
      }
      long pid = info.path("pid").asLong(0);
      SandboxFacts facts =
          new SandboxFacts(parent, pid > 0 ? OptionalLong.of(pid) : OptionalLong.empty());
      sandboxes.put(id, facts);
      return facts;
    } catch (CriException | IOException e) {
      log.debug("sandbox {} left out of this scrape: {}", id, e.getMessage());
      return null;
    }
  }

  private ContainerFacts containerFacts(RuntimeService rt, String id) {
    ContainerFacts known = containers.get(id);
    if (known != null) {
      return known;
    }
    try {
      var status = rt.containerStatus(id, true);
      String path =
          info(status.info(), "container " + id).at("/runtimeSpec/linux/cgroupsPath").asText("");
      if (path.isEmpty()) {
        log.debug("container {} has no cgroupsPath in its verbose status; left out", id);
        return null;
      }
      Instant started = status.startedAt() == null ? status.createdAt() : status.startedAt();
      ContainerFacts facts = new ContainerFacts(path, started);
      containers.put(id, facts);
      return facts;
    } catch (CriException | IOException e) {
      log.debug("container {} left out of this scrape: {}", id, e.getMessage());
      return null;
    }
  }

  private static JsonNode info(Map<String, String> verbose, String what) throws IOException {
    String raw = verbose.get("info");
    if (raw == null) {
      throw new IOException(what + ": the runtime's verbose status has no 'info'");
    }
    return JSON.readTree(raw);
  }
}
