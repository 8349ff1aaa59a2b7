package io.berth.agent.pod;

import io.berth.agent.admission.Admission;
import io.berth.agent.config.PodUpdate;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sync loop's pod handlers (the kubelet's {@code HandlePodAdditions}, {@code HandlePodUpdates},
 * {@code HandlePodRemoves}, PLEG handling and {@code HandlePodCleanups}). Every method only hands
 * work to {@link PodWorkers} and returns at once: no blocking calls.
 *
 * <p>Thread safety: call from the sync loop's thread only.
 */
public final class PodDispatcher {
  private static final Logger log = LoggerFactory.getLogger(PodDispatcher.class);

  private final PodWorkers workers;
  private final Supplier<PodLifecycleEventGenerator.RuntimePods> runtimePods;
  private final Supplier<Set<String>> configuredPodUids;
  private final BooleanSupplier sourcesReady;
  private final Gate gate;
  private final Map<String, Pod> admitted = new LinkedHashMap<>();
  private final Set<String> rejected = new HashSet<>();

  /**
   * Admission of pods new to the node (the kubelet's {@code canAdmitPod} in {@code
   * HandlePodAdditions}).
   *
   * @param admitter the verdict on a pod given the active admitted ones
   * @param terminal whether a pod UID has reached Succeeded/Failed (it no longer counts)
   * @param onReject records a rejected pod (phase Failed with the reason); its worker never starts
   */
  public record Gate(
      BiFunction<Pod, List<Pod>, Admission> admitter,
      Predicate<String> terminal,
      BiConsumer<Pod, Admission.Reject> onReject) {
    /** Admits everything. */
    public static final Gate ADMIT_ALL =
        new Gate((p, l) -> Admission.ADMIT, uid -> false, (p, r) -> {});
  }

  /**
   * @param runtimePods the pod UIDs the runtime has (the PLEG's last relist)
   * @param configuredPodUids the UIDs every source currently claims
   * @param sourcesReady true once every source delivered; orphans are only removed after that. Pass
   *     {@code () -> false} to never remove orphans (no source configured).
   */
  public PodDispatcher(
      PodWorkers workers,
      Supplier<PodLifecycleEventGenerator.RuntimePods> runtimePods,
      Supplier<Set<String>> configuredPodUids,
      BooleanSupplier sourcesReady) {
    this(workers, runtimePods, configuredPodUids, sourcesReady, Gate.ADMIT_ALL);
  }

  public PodDispatcher(
      PodWorkers workers,
      Supplier<PodLifecycleEventGenerator.RuntimePods> runtimePods,
      Supplier<Set<String>> configuredPodUids,
      BooleanSupplier sourcesReady,
      Gate gate) {
    this.workers = workers;
    this.runtimePods = runtimePods;
    this.configuredPodUids = configuredPodUids;
    this.sourcesReady = sourcesReady;
    this.gate = gate;
  }

  /** A merged config change. */
  public void podUpdate(PodUpdate update) {
    switch (update) {
      case PodUpdate.Add a -> a.pods().forEach(this::admitAndSync);
      case PodUpdate.Update u -> u.pods().forEach(this::admitAndSync);
      case PodUpdate.Delete d -> d.pods().forEach(p -> terminate(p, deletionGrace(p)));
      case PodUpdate.Remove r -> r.pods().forEach(p -> terminate(p, RuntimePodSyncer.grace(p)));
      case PodUpdate.Reconcile r -> {
        // status-only changes: berth is the source of truth for status
      }
      case PodUpdate.Set s -> {
        Set<String> wanted = new HashSet<>();
        for (Pod p : s.pods()) {
          wanted.add(uid(p));
          admitAndSync(p);
        }
        for (String uid : workers.knownUids()) {
          if (!wanted.contains(uid) && !workers.isTerminationRequested(uid)) {
            admitted.remove(uid);
            // the spec berth last had for it decides the grace period, as a Remove would
            Optional<Pod> last = workers.lastSpec(uid);
            workers.terminate(
                uid,
                last,
                last.map(RuntimePodSyncer::grace).orElse(RuntimePodSyncer.DEFAULT_GRACE));
          }
        }
        rejected.retainAll(wanted);
      }
    }
  }

  /**
   * Hands the pod to its worker, after admission when the node has not admitted it yet. A rejected
   * pod stays rejected (its phase is Failed) until its source drops it.
   */
  private void admitAndSync(Pod p) {
    String uid = uid(p);
    if (rejected.contains(uid)) {
      return;
    }
    if (!admitted.containsKey(uid) && !workers.knownUids().contains(uid)) {
      admitted.keySet().removeIf(gate.terminal());
      if (gate.admitter().apply(p, List.copyOf(admitted.values())) instanceof Admission.Reject r) {
        log.warn(
            "pod {}/{} ({}) rejected: {}: {}",
            p.getMetadata().getNamespace(),
            p.getMetadata().getName(),
            uid,
            r.reason(),
            r.message());
        rejected.add(uid);
        gate.onReject().accept(p, r);
        return;
      }
    }
    admitted.put(uid, p);
    workers.sync(p);
  }

  private void terminate(Pod p, Duration grace) {
    admitted.remove(uid(p));
    rejected.remove(uid(p));
    workers.terminate(uid(p), Optional.of(p), grace);
  }

  /** A PLEG event: the pod's worker syncs now. Removal events are ignored, as the kubelet does. */
  public void lifecycleEvent(PodLifecycleEvent event) {
    lifecycleEvent(event, e -> true);
  }

  /**
   * A PLEG event: the pod's worker syncs if the event is still {@code news} to it once it is
   * between syncs (see {@link PodWorkers#resyncIf}). Removal events are ignored, as the kubelet
   * does.
   */
  public void lifecycleEvent(PodLifecycleEvent event, Predicate<PodLifecycleEvent> news) {
    if (event.type() == PodLifecycleEvent.Type.CONTAINER_REMOVED) {
      return;
    }
    workers.resyncIf(event.podUid(), () -> news.test(event));
  }

  /**
   * Housekeeping: once all sources are ready, pods in the runtime that no source claims and no
   * worker handles are terminated (the kubelet's orphan cleanup).
   */
  public void housekeep() {
    if (!sourcesReady.getAsBoolean()) {
      return;
    }
    Set<String> known = workers.knownUids();
    Set<String> configured = null;
    PodLifecycleEventGenerator.RuntimePods inRuntime = runtimePods.get();
    for (String uid : inRuntime.uids()) {
      if (known.contains(uid) || workers.terminatedSince(uid, inRuntime.listedAt())) {
        continue; // handled, or just terminated after that listing
      }
      if (configured == null) {
        configured = configuredPodUids.get();
      }
      if (!configured.contains(uid)) {
        log.info("pod {}: in the runtime but claimed by no source, terminating it", uid);
        workers.terminate(uid, Optional.empty(), RuntimePodSyncer.DEFAULT_GRACE);
      }
    }
  }

  private static Duration deletionGrace(Pod p) {
    Long s = p.getMetadata().getDeletionGracePeriodSeconds();
    return s == null ? RuntimePodSyncer.grace(p) : Duration.ofSeconds(s);
  }

  private static String uid(Pod p) {
    return p.getMetadata().getUid();
  }
}
