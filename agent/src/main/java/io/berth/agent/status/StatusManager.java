package io.berth.agent.status;

import io.berth.agent.config.ApiServerSource;
import io.berth.agent.kubeapi.ApiException;
import io.berth.agent.kubeapi.KubeApiClient;
import io.berth.agent.kubeapi.ResourcePath;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kubelet's status manager for API pods: sends each pod's status through the {@code /status}
 * subresource when it differs from what the API server holds ({@link PodStatusSender}: a merge
 * patch of the changed fields, uid precondition), and makes the final delete (grace 0, uid
 * precondition) once a pod marked for deletion can have no running containers left.
 *
 * <pre>
 *   PodStatusView change (uid) ──▶ {@link #statusChanged} ──▶ dirty set ──▶ wake
 *   loop: wait for a wake, or {@link #RETRY_PERIOD} while something failed or a deletion is
 *         pending, or {@link #SYNC_ALL_PERIOD} ──▶ send the dirty pods (all of them every 10 s)
 * </pre>
 *
 * Failed sends (5xx, 429s past the client's retries, stray 409s, an outage) are retried every
 * second until they succeed, so statuses reach the API server when it comes back; a pod that is
 * gone or was replaced (404, uid precondition) is dropped. As the kubelet, every pod is compared
 * again every 10 s, which also repairs a status someone else overwrote.
 *
 * <p>Thread safety: the manager's thread runs the passes; {@link #statusChanged} from any thread;
 * {@link #syncOnce()} and {@link #syncDirty()} are synchronized.
 */
public final class StatusManager implements AutoCloseable {
  /** The kubelet's status manager syncs every pod this often ({@code syncPeriod}). */
  public static final Duration SYNC_ALL_PERIOD = Duration.ofSeconds(10);

  /** Retry period while a send failed or a final delete waits for containers to stop. */
  public static final Duration RETRY_PERIOD = Duration.ofSeconds(1);

  private static final Logger log = LoggerFactory.getLogger(StatusManager.class);

  /** In the dirty set: every pod (after a failure). */
  private static final String ALL = "";

  private final KubeApiClient client;
  private final Supplier<List<Pod>> localStatuses;
  private final Function<String, Optional<Pod>> localStatus;
  private final Supplier<List<Pod>> apiPods;
  private final Predicate<String> couldHaveRunningContainers;
  private final PodStatusSender statuses;
  private final Set<String> deleteSent = new HashSet<>();
  private final Object signal = new Object();
  private Set<String> dirty = new HashSet<>(); // guarded by signal
  private boolean retryNeeded; // guarded by this
  private long deletes;
  private long passes;
  private Thread thread;

  /**
   * @param localStatuses berth's pods with the status it computed (PodStatusView)
   * @param localStatus one of them by uid
   * @param apiPods the API server's pods for this node (the pod source's informer view)
   * @param couldHaveRunningContainers by pod uid (PodWorkers)
   */
  public StatusManager(
      KubeApiClient client,
      Supplier<List<Pod>> localStatuses,
      Function<String, Optional<Pod>> localStatus,
      Supplier<List<Pod>> apiPods,
      Predicate<String> couldHaveRunningContainers) {
    this.client = client;
    this.localStatuses = localStatuses;
    this.localStatus = localStatus;
    this.apiPods = apiPods;
    this.couldHaveRunningContainers = couldHaveRunningContainers;
    this.statuses = new PodStatusSender(client);
  }

  /** Starts the manager's thread: a full pass at once, then passes on changes. */
  public synchronized void start() {
    thread = Thread.ofPlatform().daemon().name("berth-status-manager").start(this::run);
  }

  /** A pod's recorded status changed: send it soon (coalesced with other changes). */
  public void statusChanged(String uid) {
    synchronized (signal) {
      dirty.add(uid);
      signal.notifyAll();
    }
  }

  private void run() {
    long lastFull = 0;
    try {
      while (!Thread.currentThread().isInterrupted()) {
        boolean full = System.nanoTime() - lastFull >= SYNC_ALL_PERIOD.toNanos() || lastFull == 0;
        try {
          if (full) {
            lastFull = System.nanoTime();
            syncOnce();
          } else {
            syncDirty();
          }
        } catch (RuntimeException e) {
          log.error("status manager pass failed", e);
        }
        long waitMs;
        synchronized (this) {
          waitMs = retryNeeded ? RETRY_PERIOD.toMillis() : SYNC_ALL_PERIOD.toMillis();
        }
        synchronized (signal) {
          if (dirty.isEmpty()) {
            signal.wait(waitMs);
          }
        }
        if (retryNeeded()) {
          synchronized (signal) {
            dirty.add(ALL);
          }
        }
      }
    } catch (InterruptedException e) {
      // berth stops
    }
  }

  private synchronized boolean retryNeeded() {
    return retryNeeded;
  }

  /** One full pass: every API pod's status, then final deletes. */
  public synchronized void syncOnce() throws InterruptedException {
    synchronized (signal) {
      dirty.clear();
    }
    pass(localStatuses.get(), true);
  }

  /** The pods whose status changed since the last pass (all of them after a failure). */
  public synchronized void syncDirty() throws InterruptedException {
    Set<String> uids;
    synchronized (signal) {
      uids = dirty;
      dirty = new HashSet<>();
    }
    if (uids.isEmpty()) {
      return;
    }
    if (uids.contains(ALL)) {
      pass(localStatuses.get(), true);
      return;
    }
    List<Pod> local = new ArrayList<>();
    for (String uid : uids) {
      localStatus.apply(uid).ifPresent(local::add);
    }
    pass(local, false);
  }

  /** Sends the statuses of {@code locals} ({@code all}: every pod) and the due final deletes. */
  private void pass(List<Pod> locals, boolean all) throws InterruptedException {
    passes++;
    Map<String, Pod> api = new HashMap<>();
    apiPods.get().forEach(p -> api.put(p.getMetadata().getUid(), p));
    statuses.retainOnly(api.keySet());
    deleteSent.retainAll(api.keySet());
    boolean retry = false;
    for (Pod local : locals) {
      String uid = local.getMetadata().getUid();
      Pod remote = api.get(uid);
      if (remote == null || local.getStatus() == null || !ApiServerSource.isFromApi(local)) {
        continue;
      }
      if (statuses.send(remote, local.getStatus()) == PodStatusSender.Outcome.FAILED) {
        retry = true;
      }
    }
    for (Pod remote : api.values()) {
      String uid = remote.getMetadata().getUid();
      if (remote.getMetadata().getDeletionTimestamp() == null || deleteSent.contains(uid)) {
        continue;
      }
      if (couldHaveRunningContainers.test(uid)) {
        retry = true; // check again soon: the worker is stopping the containers
        continue;
      }
      retry |= !finalDelete(remote);
    }
    // a pass over some pods says nothing about the others' failures
    retryNeeded = all ? retry : retryNeeded || retry;
  }

  /** The final delete; false when it failed and must be retried. */
  private boolean finalDelete(Pod remote) throws InterruptedException {
    String uid = remote.getMetadata().getUid();
    String path =
        ResourcePath.PODS
            .inNamespace(remote.getMetadata().getNamespace())
            .item(remote.getMetadata().getName());
    try {
      client.delete(path, 0L, uid);
      deleteSent.add(uid);
      deletes++;
      log.info("pod {} terminated: deleted from the API server", path);
      return true;
    } catch (ApiException e) {
      if (e.isNotFound() || e.isConflict()) {
        deleteSent.add(uid);
        return true;
      }
      log.warn("final delete of {} failed, retrying: {}", path, e.getMessage());
      return false;
    }
  }

  /** Status patches sent so far. */
  public synchronized long patches() {
    return statuses.patches();
  }

  /** Bytes of the status patch bodies sent so far. */
  public synchronized long patchBytes() {
    return statuses.patchBytes();
  }

  /** Final deletes sent so far. */
  public synchronized long deletes() {
    return deletes;
  }

  /** Passes made so far (full and changed-only). */
  public synchronized long passes() {
    return passes;
  }

  @Override
  public void close() {
    Thread t;
    synchronized (this) {
      t = thread;
    }
    if (t != null) {
      t.interrupt();
    }
  }
}
