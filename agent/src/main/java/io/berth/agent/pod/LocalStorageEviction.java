package io.berth.agent.pod;

import io.berth.agent.volume.PodVolumes;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The part of the kubelet's eviction manager that enforces an emptyDir's {@code sizeLimit}: every
 * {@link #PERIOD} (its monitoring interval) the disk-backed emptyDirs of running pods are measured;
 * a pod over a limit is evicted (Failed, reason {@code Evicted}) and its worker kills it.
 * Memory-backed emptyDirs need no check: their tmpfs is sized to the limit. As the kubelet's {@code
 * evictPod}, critical pods ({@link CriticalPods}: static, mirror, system-critical priority) are
 * never evicted; berth says so once per pod.
 *
 * <p>Thread safety: called from the sync loop's housekeeping only.
 */
public final class LocalStorageEviction {
  private static final Logger log = LoggerFactory.getLogger(LocalStorageEviction.class);

  /** The kubelet's eviction monitoring period. */
  public static final Duration PERIOD = Duration.ofSeconds(10);

  private final PodStatusView statuses;
  private final PodVolumes volumes;
  private final Consumer<String> resync;
  private final Clock clock;
  private Instant last;
  private final java.util.Set<String> sparedLogged = new java.util.HashSet<>();

  public LocalStorageEviction(
      PodStatusView statuses, PodVolumes volumes, Consumer<String> resync, Clock clock) {
    this.statuses = statuses;
    this.volumes = volumes;
    this.resync = resync;
    this.clock = clock;
  }

  /** Housekeeping: measures when a period has passed since the last measurement. */
  public void housekeep() {
    Instant now = clock.instant();
    if (last != null && Duration.between(last, now).compareTo(PERIOD) < 0) {
      return;
    }
    last = now;
    List<Pod> pods = statuses.podList().getItems();
    sparedLogged.retainAll(pods.stream().map(p -> p.getMetadata().getUid()).toList());
    for (Pod pod : pods) {
      if (pod.getStatus() == null || PodStatuses.isTerminal(pod.getStatus().getPhase())) {
        continue;
      }
      Optional<String> over = volumes.emptyDirOverLimit(pod);
      if (over.isPresent() && CriticalPods.isCritical(pod)) {
        if (sparedLogged.add(pod.getMetadata().getUid())) {
          log.warn(
              "pod {}: cannot evict a critical pod (static, mirror or system-critical): {}",
              PodStatuses.fullName(pod),
              over.get());
        }
        continue;
      }
      if (over.isPresent() && statuses.evict(pod, over.get())) {
        log.warn("pod {}: evicted: {}", PodStatuses.fullName(pod), over.get());
        resync.accept(pod.getMetadata().getUid());
      }
    }
  }
}
