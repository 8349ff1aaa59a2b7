package io.berth.probes;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The kubelet's prober metrics, exposed by the agent at {@code /metrics/probes}:
 *
 * <ul>
 *   <li>{@code prober_probe_total} (counter) with {@code probe_type}, {@code result}
 *       (successful|failed|unknown), {@code container}, {@code pod}, {@code namespace}, {@code
 *       pod_uid};
 *   <li>{@code prober_probe_duration_seconds} (histogram) with {@code probe_type}, {@code
 *       container}, {@code pod}, {@code namespace}, observed for successful and unknown results
 *       only, as the kubelet does;
 *   <li>berth's own {@code berth_prober_probes_shed_total} (counter) with {@code probe_type} and
 *       {@code reason} (late_start|late_result|loop_lag): probe runs dropped by overload control.
 * </ul>
 *
 * Meters are created per worker and removed when the worker stops, so the tag set stays bounded by
 * the containers on the node. Until {@link #bindTo} the meters record nowhere.
 *
 * <p>Bound to one registry (what the agent does), a worker's meters are that registry's own: a
 * composite registry in between costs a probe an iterator and a forwarding call per meter, about a
 * third of the metrics' cost (probes/README "Session 6"). Bound to several, the meters of workers
 * created afterwards record into all of them through a composite; a worker keeps the registry it
 * was created with.
 */
public final class ProbeMetrics implements MeterBinder {
  static final String PROBE_TOTAL = "prober.probe";
  static final String PROBE_DURATION = "prober.probe.duration";
  static final String PROBES_SHED = "berth.prober.probes.shed";

  /** Why a probe run was dropped by berth's overload control. */
  public enum ShedReason {
    /** The tick came more than the probe's timeout late: the probe was skipped. */
    LATE_START("late_start"),
    /** A failure came well after the timeout: thrown away as unknown. */
    LATE_RESULT("late_result"),
    /** A timeout while the loop lagged (a 100 ms timer fired over 200 ms late in the last 2 s). */
    LOOP_LAG("loop_lag");

    private final String label;

    ShedReason(String label) {
      this.label = label;
    }
  }

  private static final Duration[] BUCKETS = {
    Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
    Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
    Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10)
  };

  private final CompositeMeterRegistry composite = new CompositeMeterRegistry();
  private final List<MeterRegistry> bound = new java.util.concurrent.CopyOnWriteArrayList<>();

  @Override
  public void bindTo(MeterRegistry target) {
    composite.add(target);
    bound.add(target);
  }

  /** Where new meters go: the one bound registry itself, else the composite of all. */
  private MeterRegistry target() {
    return bound.size() == 1 ? bound.get(0) : composite;
  }

  /** The meters of one probe worker. */
  public final class WorkerMeters {
    private final Counter successful;
    private final Counter failed;
    private final Counter unknown;
    private final Timer duration;
    private final ProbeType type;
    private final MeterRegistry registry;

    private WorkerMeters(PodRef pod, String container, ProbeType type) {
      this.type = type;
      this.registry = target();
      var base =
          Tags.of(
              "probe_type", type.label(),
              "container", container,
              "pod", pod.name(),
              "namespace", pod.namespace());
      var withUid = base.and("pod_uid", pod.uid());
      successful = counter(withUid.and("result", "successful"));
      failed = counter(withUid.and("result", "failed"));
      unknown = counter(withUid.and("result", "unknown"));
      duration =
          Timer.builder(PROBE_DURATION)
              .description("Duration in seconds for a probe response.")
              .tags(base)
              .serviceLevelObjectives(BUCKETS)
              .register(registry);
    }

    private Counter counter(Tags tags) {
      return Counter.builder(PROBE_TOTAL)
          .description(
              "Cumulative number of a liveness, readiness or startup probe for a container by result.")
          .tags(tags)
          .register(registry);
    }

    /** Records one finished probe run. */
    public void record(ProbeResult.Outcome outcome, long durationNanos) {
      switch (outcome) {
        case SUCCESS, WARNING -> {
          successful.increment();
          duration.record(durationNanos, TimeUnit.NANOSECONDS);
        }
        case FAILURE -> failed.increment();
        case UNKNOWN -> {
          unknown.increment();
          duration.record(durationNanos, TimeUnit.NANOSECONDS);
        }
      }
    }

    /** Counts a probe run dropped by overload control (one series per probe type and reason). */
    public void shed(ShedReason reason) {
      Counter.builder(PROBES_SHED)
          .description(
              "Probe runs berth dropped because its probe loop was overloaded (not a container's"
                  + " failure).")
          .tags("probe_type", type.label(), "reason", reason.label)
          .register(registry)
          .increment();
    }

    /** Drops this worker's series. */
    public void remove() {
      for (var meter : List.of(successful, failed, unknown, duration)) {
        registry.remove(meter);
      }
    }
  }

  /** Creates (or finds) the meters of the worker for {@code type} on {@code container}. */
  public WorkerMeters forWorker(PodRef pod, String container, ProbeType type) {
    return new WorkerMeters(pod, container, type);
  }
}
