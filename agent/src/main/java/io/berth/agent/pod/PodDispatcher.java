package io.berth.agent.pod;

import io.berth.agent.config.PodUpdate;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
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
    this.workers = workers;
    this.runtimePods = runtimePods;
    this.configuredPodUids = configuredPodUids;
    this.sourcesReady = sourcesReady;
  }

  /** A merged config change. */
  public void podUpdate(PodUpdate update) {
    switch (update) {
      case PodUpdate.Add a -> a.pods().forEach(workers::sync);
      case PodUpdate.Update u -> u.pods().forEach(workers::sync);
      case PodUpdate.Delete d ->
          d.pods().forEach(p -> workers.terminate(uid(p), Optional.of(p), deletionGrace(p)));
      case PodUpdate.Remove r ->
          r.pods()
              .forEach(p -> workers.terminate(uid(p), Optional.of(p), RuntimePodSyncer.grace(p)));
      case PodUpdate.Reconcile r -> {
        // status-only changes: berth is the source of truth for status
      }
      case PodUpdate.Set s -> {
        Set<String> wanted = new HashSet<>();
        for (Pod p : s.pods()) {
          wanted.add(uid(p));
          workers.sync(p);
        }
        for (String uid : workers.knownUids()) {
          if (!wanted.contains(uid) && !workers.isTerminationRequested(uid)) {
            // the spec berth last had for it decides the grace period, as a Remove would
            Optional<Pod> last = workers.lastSpec(uid);
            workers.terminate(
                uid,
                last,
                last.map(RuntimePodSyncer::grace).orElse(RuntimePodSyncer.DEFAULT_GRACE));
          }
        }
      }
    }
  }

  /** A PLEG event: the pod's worker syncs now. Removal events are ignored, as the kubelet does. */
  public void lifecycleEvent(PodLifecycleEvent event) {
    if (event.type() == PodLifecycleEvent.Type.CONTAINER_REMOVED) {
      return;
    }
    workers.resync(event.podUid());
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
