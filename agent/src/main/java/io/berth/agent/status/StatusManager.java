package io.berth.agent.status;

import io.berth.agent.config.ApiServerSource;
import io.berth.agent.kubeapi.ApiException;
import io.berth.agent.kubeapi.KubeApiClient;
import io.berth.agent.kubeapi.Periodic;
import io.berth.agent.kubeapi.ResourcePath;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kubelet's status manager for API pods: sends each pod's status through the {@code /status}
 * subresource (JSON merge patch with a uid precondition) when it differs from what the API server
 * holds and from what was last sent, and makes the final delete (grace 0, uid precondition) once a
 * pod marked for deletion can have no running containers left. Failed sends are retried on the next
 * pass, so statuses reach the API server when it comes back after an outage.
 *
 * <p>Deviation: the kubelet's status manager is woken by each status change (and syncs all every 10
 * s); this one compares the local status view with the API view every {@code period} (1 s in berth
 * run).
 *
 * <p>Thread safety: one timer thread runs {@link #syncOnce()}; {@code syncOnce} is synchronized.
 */
public final class StatusManager implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(StatusManager.class);

  private final KubeApiClient client;
  private final Supplier<List<Pod>> localStatuses;
  private final Supplier<List<Pod>> apiPods;
  private final Predicate<String> couldHaveRunningContainers;
  private final PodStatusSender statuses;
  private final Set<String> deleteSent = new HashSet<>();
  private Periodic timer;
  private long deletes;

  /**
   * @param localStatuses berth's pods with the status it computed (PodStatusView)
   * @param apiPods the API server's pods for this node (the pod source's informer view)
   * @param couldHaveRunningContainers by pod uid (PodWorkers)
   */
  public StatusManager(
      KubeApiClient client,
      Supplier<List<Pod>> localStatuses,
      Supplier<List<Pod>> apiPods,
      Predicate<String> couldHaveRunningContainers) {
    this.client = client;
    this.localStatuses = localStatuses;
    this.apiPods = apiPods;
    this.couldHaveRunningContainers = couldHaveRunningContainers;
    this.statuses = new PodStatusSender(client);
  }

  public synchronized void start(Duration period) {
    timer = Periodic.start("berth-status-manager", period, period, this::syncOnce);
  }

  /** One pass: send changed statuses, then final deletes. */
  public synchronized void syncOnce() throws InterruptedException {
    Map<String, Pod> api = new HashMap<>();
    apiPods.get().forEach(p -> api.put(p.getMetadata().getUid(), p));
    statuses.retainOnly(api.keySet());
    deleteSent.retainAll(api.keySet());
    for (Pod local : localStatuses.get()) {
      String uid = local.getMetadata().getUid();
      Pod remote = api.get(uid);
      if (remote == null || local.getStatus() == null || !ApiServerSource.isFromApi(local)) {
        continue;
      }
      statuses.send(remote, local.getStatus());
    }
    for (Pod remote : api.values()) {
      String uid = remote.getMetadata().getUid();
      if (remote.getMetadata().getDeletionTimestamp() == null
          || couldHaveRunningContainers.test(uid)
          || deleteSent.contains(uid)) {
        continue;
      }
      String path =
          ResourcePath.PODS
              .inNamespace(remote.getMetadata().getNamespace())
              .item(remote.getMetadata().getName());
      try {
        client.delete(path, 0L, uid);
        deleteSent.add(uid);
        deletes++;
        log.info("pod {} terminated: deleted from the API server", path);
      } catch (ApiException e) {
        if (e.isNotFound() || e.isConflict()) {
          deleteSent.add(uid);
        } else {
          log.warn("final delete of {} failed, retrying: {}", path, e.getMessage());
        }
      }
    }
  }

  /** Status patches sent so far. */
  public synchronized long patches() {
    return statuses.patches();
  }

  /** Final deletes sent so far. */
  public synchronized long deletes() {
    return deletes;
  }

  @Override
  public synchronized void close() {
    if (timer != null) {
      timer.close();
    }
  }
}
