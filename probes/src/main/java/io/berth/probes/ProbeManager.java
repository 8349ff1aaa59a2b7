package io.berth.probes;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.random.RandomGenerator;

/**
 * Keeps one {@link ProbeWorker} per (pod, container, probe type) of the containers the agent runs,
 * and feeds them the containers' runtime state. Results flow out through one {@link ProbeResults}.
 *
 * <pre>
 *   agent ──addContainer / updateContainer / removeContainer──▶ ProbeManager ──▶ workers
 *   workers ──ProbeUpdate (on change only)──▶ ProbeResults ──take/poll──▶ agent sync loop
 * </pre>
 *
 * <p>Thread safety: every method may be called from any thread; the work is posted to the
 * scheduler's thread, where the workers live, so calls take effect asynchronously and in order.
 */
public final class ProbeManager implements AutoCloseable {
  private record WorkerKey(String podUid, String containerName, ProbeType type) {
    // Written out: every probe looks one up (isStarted), and a record's generated methods go
    // through method handles that C1 (berth's only compiler) does not inline.
    @Override
    public int hashCode() {
      return (podUid.hashCode() * 31 + containerName.hashCode()) * 31 + type.ordinal();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof WorkerKey k
          && type == k.type
          && podUid.equals(k.podUid)
          && containerName.equals(k.containerName);
    }
  }

  private final Prober prober;
  private final ProbeResults results;
  private final ProbeMetrics metrics;
  private final ProbeScheduler scheduler;
  private final RandomGenerator random;
  private final Instant startedAt;
  private final LoopLag lag;
  private final Map<WorkerKey, ProbeWorker> workers = new ConcurrentHashMap<>();

  public ProbeManager(
      Prober prober,
      ProbeResults results,
      ProbeMetrics metrics,
      ProbeScheduler scheduler,
      RandomGenerator random) {
    this.prober = Objects.requireNonNull(prober, "prober");
    this.results = Objects.requireNonNull(results, "results");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    this.random = Objects.requireNonNull(random, "random");
    this.startedAt = scheduler.now();
    this.lag = new LoopLag(scheduler);
    scheduler.execute(lag::start);
  }

  /**
   * Starts workers for a container's probes (idempotent per probe type). Call it when the pod is
   * admitted; workers wait for {@link #updateContainer} before probing. Updating a probe's spec is
   * not supported, as in the kubelet: remove and add the container.
   */
  public void addContainer(PodRef pod, String containerName, ContainerProbes probes) {
    scheduler.execute(
        () -> {
          for (var type : ProbeType.values()) {
            probes.get(type).ifPresent(spec -> startWorker(pod, containerName, type, spec));
          }
        });
  }

  /**
   * Tells the workers of a container its current runtime state (ID, running, start time, pod IP).
   */
  public void updateContainer(String podUid, String containerName, ContainerState state) {
    Objects.requireNonNull(state, "state");
    scheduler.execute(
        () -> {
          for (var type : ProbeType.values()) {
            var w = workers.get(new WorkerKey(podUid, containerName, type));
            if (w != null) {
              w.updateState(state);
            }
          }
        });
  }

  /** Stops the workers of a container and forgets its results. */
  public void removeContainer(String podUid, String containerName) {
    scheduler.execute(
        () -> {
          for (var type : ProbeType.values()) {
            var w = workers.remove(new WorkerKey(podUid, containerName, type));
            if (w != null) {
              w.stop();
            }
          }
        });
  }

  /** Stops every worker of a pod. */
  public void removePod(String podUid) {
    scheduler.execute(
        () -> {
          for (var key : new ArrayList<>(workers.keySet())) {
            if (key.podUid().equals(podUid)) {
              workers.remove(key).stop();
            }
          }
        });
  }

  /**
   * The pod is terminating: stop its liveness and startup probes so a slow shutdown is not turned
   * into a restart, as the kubelet's {@code StopLivenessAndStartup} does. Readiness keeps running.
   */
  public void stopLivenessAndStartup(String podUid) {
    scheduler.execute(
        () -> {
          for (var key : new ArrayList<>(workers.keySet())) {
            if (key.podUid().equals(podUid) && key.type().restartsOnFailure()) {
              workers.remove(key).stop();
            }
          }
        });
  }

  /** Whether this container has passed its startup probe (always, without one). */
  public boolean isStarted(String podUid, String containerName, String containerId) {
    if (!workers.containsKey(new WorkerKey(podUid, containerName, ProbeType.STARTUP))) {
      return true;
    }
    return results
        .get(containerId, ProbeType.STARTUP)
        .filter(o -> o == ProbeResult.Outcome.SUCCESS)
        .isPresent();
  }

  /**
   * What every worker is doing, sorted by namespace, pod, container and probe type; taken on the
   * scheduler's thread, so it completes only when that thread gets to it.
   */
  public CompletionStage<List<ProbeStatus>> statuses() {
    var result = new CompletableFuture<List<ProbeStatus>>();
    scheduler.execute(
        () ->
            result.complete(
                workers.values().stream()
                    .map(ProbeWorker::status)
                    .sorted(
                        Comparator.comparing((ProbeStatus s) -> s.pod().namespace())
                            .thenComparing(s -> s.pod().name())
                            .thenComparing(ProbeStatus::containerName)
                            .thenComparing(ProbeStatus::type))
                    .toList()));
    return result;
  }

  /** The number of live workers. */
  public int workerCount() {
    return workers.size();
  }

  /** The worker of one probe, for inspection. */
  public Optional<ProbeWorker> worker(String podUid, String containerName, ProbeType type) {
    return Optional.ofNullable(workers.get(new WorkerKey(podUid, containerName, type)));
  }

  /** Stops every worker. */
  @Override
  public void close() {
    scheduler.execute(
        () -> {
          lag.stop();
          workers.values().forEach(ProbeWorker::stop);
          workers.clear();
        });
  }

  private void startWorker(PodRef pod, String containerName, ProbeType type, ProbeSpec spec) {
    var key = new WorkerKey(pod.uid(), containerName, type);
    if (workers.containsKey(key)) {
      return;
    }
    var worker =
        new ProbeWorker(
            pod,
            containerName,
            type,
            spec,
            prober,
            scheduler,
            metrics.forWorker(pod, containerName, type),
            results,
            this::afterPublish,
            containerId -> isStarted(pod.uid(), containerName, containerId),
            lag::lagging);
    workers.put(key, worker);
    worker.start(startedAt, random);
  }

  private void afterPublish(ProbeUpdate update) {
    if (update.type() == ProbeType.STARTUP
        && update.result().outcome() == ProbeResult.Outcome.SUCCESS) {
      // Started: probe readiness right away instead of up to a period later, as the kubelet does.
      var readiness =
          workers.get(
              new WorkerKey(update.pod().uid(), update.containerName(), ProbeType.READINESS));
      if (readiness != null) {
        scheduler.execute(readiness::trigger);
      }
    }
  }
}
