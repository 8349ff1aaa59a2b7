package io.berth.agent.stats;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.agent.pod.PodLifecycleEventGenerator.RuntimeListing;
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
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runtime's ready sandboxes and running containers as cadvisor-metrics inputs.
 *
 * <p>The ready sandboxes and running containers come from the PLEG's last relist when it is at most
 * {@link #MAX_LISTING_AGE} old (it relists every second), so a scrape usually asks the runtime
 * nothing; otherwise from two list calls, made concurrently. A sandbox's cgroup parent and pid, and
 * a container's cgroup path and start time, never change, so they are read once from the verbose
 * status (containerd's {@code info} JSON: {@code config.linux.cgroup_parent}, {@code pid}, {@code
 * runtimeSpec.linux.cgroupsPath}) and cached by id until the id disappears.
 *
 * <p>A sandbox or container that vanishes between list and status is left out of this collection
 * (debug log); a runtime that cannot be reached yields an empty list and a warning, never a failed
 * scrape.
 */
public final class RuntimePodInventory implements Supplier<List<PodRef>> {
  private static final Logger log = LoggerFactory.getLogger(RuntimePodInventory.class);

  private record SandboxFacts(String cgroupParent, OptionalLong pid) {}

  private record ContainerFacts(String cgroupPath, Instant startedAt) {}

  /**
   * How old the PLEG's listing may be to stand in for the inventory's own (the PLEG relists every
   * second; the kubelet's runtime cache, which its stats read, keeps pods for a few seconds).
   */
  static final Duration MAX_LISTING_AGE = Duration.ofSeconds(2);

  private final Supplier<RuntimeService> runtime;
  private final Supplier<Optional<RuntimeListing>> recentListing;
  private final Clock clock;
  private final ObjectMapper json;
  private final Map<String, SandboxFacts> sandboxes = new ConcurrentHashMap<>();
  private final Map<String, ContainerFacts> containers = new ConcurrentHashMap<>();

  /** {@code runtime} gives the connected runtime, or throws CriException while there is none. */
  public RuntimePodInventory(Supplier<RuntimeService> runtime) {
    this(runtime, Optional::empty, Clock.systemUTC(), new ObjectMapper());
  }

  /**
   * @param recentListing the PLEG's last listing; used instead of two CRI list calls while it is at
   *     most {@link #MAX_LISTING_AGE} old by {@code clock}
   * @param json parses the verbose status JSON (the agent's pooled-buffer mapper, see NodeAgent)
   */
  public RuntimePodInventory(
      Supplier<RuntimeService> runtime,
      Supplier<Optional<RuntimeListing>> recentListing,
      Clock clock,
      ObjectMapper json) {
    this.runtime = runtime;
    this.recentListing = recentListing;
    this.clock = clock;
    this.json = json;
  }

  @Override
  public List<PodRef> get() {
    RuntimeService rt;
    List<PodSandbox> ready;
    Map<String, List<Container>> running;
    try {
      rt = runtime.get();
      Optional<RuntimeListing> recent = recentListing.get().filter(this::fresh);
      if (recent.isPresent()) {
        ready =
            recent.get().sandboxes().stream()
                .filter(s -> s.state() == PodSandboxState.READY)
                .toList();
        running =
            recent.get().containers().stream()
                .filter(c -> c.state() == ContainerState.RUNNING)
                .collect(Collectors.groupingBy(Container::podSandboxId));
        return pods(rt, ready, running);
      }
      // the two listings are independent: ask for both at once (each is a few ms at 110 pods)
      RuntimeService listing = rt;
      FutureTask<List<Container>> containers =
          new FutureTask<>(
              () -> listing.listContainers(ContainerFilter.all().inState(ContainerState.RUNNING)));
      Thread.ofVirtual().name("metrics-list-containers").start(containers);
      ready = rt.listPodSandbox(PodSandboxFilter.all().inState(PodSandboxState.READY));
      running = containers.get().stream().collect(Collectors.groupingBy(Container::podSandboxId));
    } catch (CriException e) {
      log.warn("no pods for metrics this scrape: {}", e.getMessage());
      return List.of();
    } catch (ExecutionException e) {
      log.warn("no pods for metrics this scrape: {}", e.getCause().getMessage());
      return List.of();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      log.warn("no pods for metrics this scrape: interrupted while listing containers");
      return List.of();
    }
    return pods(rt, ready, running);
  }

  private boolean fresh(RuntimeListing listing) {
    Duration age = Duration.between(listing.listedAt(), clock.instant());
    return !age.isNegative() && age.compareTo(MAX_LISTING_AGE) <= 0;
  }

  /** The pods of {@code ready} sandboxes with their {@code running} containers. */
  private List<PodRef> pods(
      RuntimeService rt, List<PodSandbox> ready, Map<String, List<Container>> running) {
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

  private JsonNode info(Map<String, String> verbose, String what) throws IOException {
    String raw = verbose.get("info");
    if (raw == null) {
      throw new IOException(what + ": the runtime's verbose status has no 'info'");
    }
    return json.readTree(raw);
  }
}
