package io.berth.agent.stats;

import io.berth.agent.pod.PodStartLatency;
import io.berth.agent.pod.PodStatusView;
import io.berth.agent.pod.PodSyncer;
import io.fabric8.kubernetes.api.model.Pod;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Optional;

/**
 * berth's pod lifecycle metrics, the kubelet's under berth's prefix:
 *
 * <pre>
 *   berth_pod_start_sli_duration_seconds   first seen → all containers running, without image pulls
 *   berth_pod_start_duration_seconds       the same with image pulls
 *   berth_pod_worker_duration_seconds      one pod worker sync or termination {operation}
 *   berth_pleg_relist_duration_seconds     one PLEG relist of the runtime
 *   berth_running_pods, berth_running_containers   from the local pod view, read at scrape
 * </pre>
 *
 * Histograms use fixed buckets like the kubelet's, so each is a dozen or two series.
 */
public final class PodLifecycleMetrics implements PodStartLatency.Observer {
  private static final Duration[] START_BUCKETS =
      seconds(0.5, 1, 2, 3, 4, 5, 6, 8, 10, 20, 30, 45, 60, 120, 300, 600);
  private static final Duration[] SYNC_BUCKETS =
      seconds(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30);

  private final Timer startSli;
  private final Timer start;
  private final Timer workerSync;
  private final Timer workerTerminate;
  private final Timer relist;

  private final MeterRegistry registry;

  public PodLifecycleMetrics(MeterRegistry registry) {
    this.registry = registry;
    startSli =
        timer(
            registry,
            "berth_pod_start_sli_duration",
            "Pod start latency without image pulls, first seen to all containers running",
            START_BUCKETS,
            null);
    start =
        timer(
            registry,
            "berth_pod_start_duration",
            "Pod start latency with image pulls, first seen to all containers running",
            START_BUCKETS,
            null);
    workerSync =
        timer(
            registry,
            "berth_pod_worker_duration",
            "Duration of one pod worker operation",
            SYNC_BUCKETS,
            "sync");
    workerTerminate =
        timer(
            registry,
            "berth_pod_worker_duration",
            "Duration of one pod worker operation",
            SYNC_BUCKETS,
            "terminate");
    relist =
        timer(
            registry,
            "berth_pleg_relist_duration",
            "Duration of one PLEG relist of the runtime",
            SYNC_BUCKETS,
            null);
  }

  /** Registers the running pods and containers gauges over {@code pods}. */
  public void gaugeRunning(PodStatusView pods) {
    Gauge.builder(
            "berth_running_pods",
            pods,
            v ->
                v.podList().getItems().stream()
                    .filter(
                        p -> p.getStatus() != null && "Running".equals(p.getStatus().getPhase()))
                    .count())
        .description("Pods in phase Running")
        .register(registry);
    Gauge.builder("berth_running_containers", pods, PodLifecycleMetrics::runningContainers)
        .description("Containers in state running")
        .register(registry);
  }

  @Override
  public void started(Duration sli, Duration total) {
    startSli.record(sli);
    start.record(total);
  }

  /** Records each PLEG relist. */
  public void relisted(Duration d) {
    relist.record(d);
  }

  /** {@code syncer} with each sync and termination timed. */
  public PodSyncer timed(PodSyncer syncer) {
    return new PodSyncer() {
      @Override
      public Duration syncPod(Pod pod) {
        long t0 = System.nanoTime();
        try {
          return syncer.syncPod(pod);
        } finally {
          workerSync.record(Duration.ofNanos(System.nanoTime() - t0));
        }
      }

      @Override
      public void terminatePod(String uid, Optional<Pod> pod, Duration gracePeriod) {
        long t0 = System.nanoTime();
        try {
          syncer.terminatePod(uid, pod, gracePeriod);
        } finally {
          workerTerminate.record(Duration.ofNanos(System.nanoTime() - t0));
        }
      }
    };
  }

  private static double runningContainers(PodStatusView pods) {
    return pods.podList().getItems().stream()
        .filter(p -> p.getStatus() != null && p.getStatus().getContainerStatuses() != null)
        .flatMap(p -> p.getStatus().getContainerStatuses().stream())
        .filter(c -> c.getState() != null && c.getState().getRunning() != null)
        .count();
  }

  private static Timer timer(
      MeterRegistry r, String name, String help, Duration[] buckets, String operation) {
    Timer.Builder b = Timer.builder(name).description(help).serviceLevelObjectives(buckets);
    if (operation != null) {
      b = b.tag("operation", operation);
    }
    return b.register(r);
  }

  private static Duration[] seconds(double... s) {
    Duration[] d = new Duration[s.length];
    for (int i = 0; i < s.length; i++) {
      d[i] = Duration.ofNanos((long) (s[i] * 1e9));
    }
    return d;
  }
}
