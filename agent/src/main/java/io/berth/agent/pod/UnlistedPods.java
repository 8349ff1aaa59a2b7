package io.berth.agent.pod;

import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Which pods the runtime cannot have a sandbox or container of, so that their worker's first sync
 * can skip listing the runtime by the pod's UID label. During a burst of pod starts those listings
 * scan every sandbox and container on the node, two calls per new pod that containerd serves under
 * its store's locks.
 *
 * <p>A pod has nothing in the runtime when the PLEG has relisted at least once in this process,
 * that relist did not see its UID, and no worker of this process has asked the runtime to create
 * anything for it since the process started. Sandboxes and containers carrying berth's labels are
 * only made by berth, so a pod that a previous berth process left running is in the first relist
 * (before it, every pod is listed), and one this process made is {@linkplain #creating marked}
 * before its RunPodSandbox/CreateContainer call, whichever relist is the last.
 *
 * <p>Thread safety: thread-safe.
 */
public final class UnlistedPods {
  /** Never vouches for a pod: every first sync lists the runtime. */
  public static UnlistedPods never() {
    return new UnlistedPods(
        () -> new PodLifecycleEventGenerator.RuntimePods(Set.of(), Instant.EPOCH));
  }

  private final Supplier<PodLifecycleEventGenerator.RuntimePods> lastRelist;
  private final Set<String> created = ConcurrentHashMap.newKeySet();

  /**
   * @param lastRelist what the PLEG's last successful relist saw ({@link Instant#EPOCH} before the
   *     first)
   */
  public UnlistedPods(Supplier<PodLifecycleEventGenerator.RuntimePods> lastRelist) {
    this.lastRelist = lastRelist;
  }

  /** Whether the runtime surely has nothing of pod {@code uid}. */
  boolean surelyEmpty(String uid) {
    if (created.contains(uid)) {
      return false;
    }
    PodLifecycleEventGenerator.RuntimePods relisted = lastRelist.get();
    return relisted.listedAt().isAfter(Instant.EPOCH) && !relisted.uids().contains(uid);
  }

  /** Pod {@code uid}'s worker is about to ask the runtime to create something for it. */
  void creating(String uid) {
    created.add(uid);
  }

  /** Pod {@code uid} was terminated and everything of it removed from the runtime. */
  void removed(String uid) {
    created.remove(uid);
  }
}
