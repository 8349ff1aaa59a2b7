package io.berth.agent.probe;

import io.berth.agent.kuberuntime.ObservedPod;
import io.berth.agent.kuberuntime.ProbeResults;
import io.berth.agent.pod.ContainerReadiness;
import io.berth.agent.pod.PodProbes;
import io.berth.agent.pod.PodStatuses;
import io.berth.cri.ContainerState;
import io.berth.probes.ContainerProbes;
import io.berth.probes.PodRef;
import io.berth.probes.ProbeManager;
import io.berth.probes.ProbeResult;
import io.berth.probes.ProbeType;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kubelet's {@code prober.Manager} for berth's pods, on top of the probes library's {@link
 * ProbeManager}: a pod's probe workers start the first time its worker observes it (one per
 * container and probe type; regular containers and sidecars), learn each container's newest
 * instance on every sync, stop liveness/startup when the pod terminates and go with the pod.
 *
 * <pre>
 *   RuntimePodSyncer ─observe(pod, runtime state)─▶ ProberManager ─add/update─▶ ProbeManager workers
 *   ComputePodActions ◀─results(observed): liveness/startup by container ID ─┘        │
 *   PodStatuses ◀─readiness(uid): started/ready by container ID ◀── ProbeResults ◀─────┘
 * </pre>
 *
 * <p>Results are read from the library's {@link io.berth.probes.ProbeResults} cache; its update
 * queue is the results channel the agent's sync loop takes from (it resyncs the pod).
 *
 * <p>Thread safety: any thread; pod workers call it concurrently for different pods.
 */
public final class ProberManager implements PodProbes {
  private static final Logger log = LoggerFactory.getLogger(ProberManager.class);

  /** A pod's probed containers, as converted when its workers were added. */
  private record PodEntry(PodRef ref, Map<String, ProbeSpecs.Converted> containers) {}

  private final List<ProbeManager> shards;
  private final io.berth.probes.ProbeResults results;
  private final Clock clock;
  private final Map<String, PodEntry> pods = new ConcurrentHashMap<>();

  /**
   * @param shards the probe managers, each on its own event loop; a pod's workers all live on the
   *     shard its UID hashes to (they share {@code results}: a container is in one shard only)
   */
  public ProberManager(
      List<ProbeManager> shards, io.berth.probes.ProbeResults results, Clock clock) {
    if (shards.isEmpty()) {
      throw new IllegalArgumentException("at least one probe manager is needed");
    }
    this.shards = List.copyOf(shards);
    this.results = results;
    this.clock = clock;
  }

  /** One shard. */
  public ProberManager(ProbeManager workers, io.berth.probes.ProbeResults results, Clock clock) {
    this(List.of(workers), results, clock);
  }

  private ProbeManager shard(String podUid) {
    return shards.get(Math.floorMod(podUid.hashCode(), shards.size()));
  }

  @Override
  public void observe(Pod pod, ObservedPod observed, List<String> hostIps) {
    String uid = pod.getMetadata().getUid();
    PodEntry entry = pods.computeIfAbsent(uid, u -> addPod(pod));
    if (entry.containers().isEmpty()) {
      return;
    }
    String podIp = podIp(pod, observed, hostIps);
    for (String name : entry.containers().keySet()) {
      observed.latest(name).ifPresent(c -> shard(uid).updateContainer(uid, name, state(c, podIp)));
    }
  }

  private PodEntry addPod(Pod pod) {
    PodRef ref =
        new PodRef(
            pod.getMetadata().getUid(),
            pod.getMetadata().getNamespace(),
            pod.getMetadata().getName());
    Map<String, ProbeSpecs.Converted> probed = new LinkedHashMap<>();
    Stream.concat(
            pod.getSpec().getInitContainers().stream().filter(ProberManager::isSidecar),
            pod.getSpec().getContainers().stream())
        .forEach(
            c -> {
              ProbeSpecs.Converted converted = ProbeSpecs.of(c);
              if (converted.isEmpty()) {
                return;
              }
              probed.put(c.getName(), converted);
              converted
                  .invalid()
                  .values()
                  .forEach(
                      e ->
                          log.warn(
                              "pod {}: {}; the probe will never succeed",
                              PodStatuses.fullName(pod),
                              e.getMessage()));
              if (!converted.probes().equals(ContainerProbes.none())) {
                shard(ref.uid()).addContainer(ref, c.getName(), converted.probes());
              }
            });
    return new PodEntry(ref, Map.copyOf(probed));
  }

  /** The kubelet probes {@code status.podIP}: the sandbox's IP, the node's for host network. */
  private static String podIp(Pod pod, ObservedPod observed, List<String> hostIps) {
    if (Boolean.TRUE.equals(pod.getSpec().getHostNetwork()) && !hostIps.isEmpty()) {
      return hostIps.get(0);
    }
    List<String> ips = observed.podIps();
    return ips.isEmpty() ? "" : ips.get(0);
  }

  private io.berth.probes.ContainerState state(ObservedPod.Container c, String podIp) {
    if (c.state() != ContainerState.RUNNING) {
      return io.berth.probes.ContainerState.exited(c.id(), podIp);
    }
    Instant startedAt =
        c.startedAt() != null
            ? c.startedAt()
            : c.createdAt() != null ? c.createdAt() : clock.instant();
    return io.berth.probes.ContainerState.running(c.id(), startedAt, podIp);
  }

  @Override
  public ProbeResults results(ObservedPod observed) {
    Map<String, ProbeResults.Result> liveness = new HashMap<>();
    Map<String, ProbeResults.Result> startup = new HashMap<>();
    for (ObservedPod.Container c : observed.containers()) {
      if (c.state() != ContainerState.RUNNING) {
        continue;
      }
      decided(c.id(), ProbeType.LIVENESS).ifPresent(r -> liveness.put(c.id(), r));
      decided(c.id(), ProbeType.STARTUP).ifPresent(r -> startup.put(c.id(), r));
    }
    return new ProbeResults(liveness, startup);
  }

  /** SUCCESS or FAILURE once a worker decided; empty while unknown or before any result. */
  private Optional<ProbeResults.Result> decided(String containerId, ProbeType type) {
    return results
        .get(containerId, type)
        .flatMap(
            o ->
                switch (o) {
                  case SUCCESS, WARNING -> Optional.of(ProbeResults.Result.SUCCESS);
                  case FAILURE -> Optional.of(ProbeResults.Result.FAILURE);
                  case UNKNOWN -> Optional.empty();
                });
  }

  @Override
  public ContainerReadiness readiness(String podUid) {
    PodEntry entry = pods.get(podUid);
    if (entry == null) {
      return ContainerReadiness.WHEN_RUNNING;
    }
    return new ContainerReadiness() {
      @Override
      public boolean started(String containerName, String containerId) {
        return passed(entry, containerName, containerId, ProbeType.STARTUP);
      }

      @Override
      public boolean ready(String containerName, String containerId) {
        return passed(entry, containerName, containerId, ProbeType.READINESS);
      }
    };
  }

  /** No such probe: passed. An invalid one: never. Otherwise: its worker's result is success. */
  private boolean passed(PodEntry entry, String containerName, String containerId, ProbeType type) {
    ProbeSpecs.Converted c = entry.containers().get(containerName);
    if (c == null) {
      return true;
    }
    if (c.invalid().containsKey(type)) {
      return false;
    }
    boolean declared =
        switch (type) {
          case LIVENESS -> c.probes().liveness().isPresent();
          case READINESS -> c.probes().readiness().isPresent();
          case STARTUP -> c.probes().startup().isPresent();
        };
    return !declared
        || results
            .get(containerId, type)
            .filter(o -> o == ProbeResult.Outcome.SUCCESS || o == ProbeResult.Outcome.WARNING)
            .isPresent();
  }

  @Override
  public void stopLivenessAndStartup(String podUid) {
    shard(podUid).stopLivenessAndStartup(podUid);
  }

  @Override
  public void removePod(String podUid) {
    pods.remove(podUid);
    shard(podUid).removePod(podUid);
  }

  /** How many pods this manager tracks (they have had their workers added). */
  public int podCount() {
    return pods.size();
  }

  private static boolean isSidecar(Container c) {
    return "Always".equals(c.getRestartPolicy());
  }
}
