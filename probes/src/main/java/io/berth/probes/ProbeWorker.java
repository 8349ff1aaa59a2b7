package io.berth.probes;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.random.RandomGenerator;

/**
 * Probes one container with one probe type, periodically, as the kubelet's prober worker does.
 *
 * <pre>
 *   tick (every periodSeconds; the first one jittered if the agent started less than a period ago)
 *     └─ no state yet ─────────────────────────── wait
 *     └─ new container ID ──── set initial result (readiness false, liveness true, startup unknown),
 *                              leave hold
 *     └─ on hold (after a liveness/startup failure) ── wait for a new container ID
 *     └─ not running ───────── result FAILURE (not ready), no probe
 *     └─ started less than initialDelaySeconds ago ── wait
 *     └─ startup not passed yet (liveness/readiness) or passed (startup) ── wait
 *     └─ probe ── result; thresholds; liveness/startup FAILURE ⇒ publish, hold
 * </pre>
 *
 * <p>Thread safety: confined to the {@link ProbeScheduler}'s thread; probe completions are posted
 * back to it. A tick that comes while a probe is still running is kept and runs when it finishes,
 * as a Go ticker's one buffered tick would.
 */
public final class ProbeWorker {
  private final PodRef pod;
  private final String containerName;
  private final ProbeType type;
  private final ProbeSpec spec;
  private final Prober prober;
  private final ProbeScheduler scheduler;
  private final ProbeMetrics.WorkerMeters meters;
  private final ProbeResults results;
  private final Consumer<ProbeUpdate> afterPublish;
  private final Predicate<String> startupPassed;
  private final BooleanSupplier loopLagging;
  private final ProbeResult initialValue;
  private final Runnable tickTask = this::tick; // one object for every period's timer

  private ContainerState state;
  private String containerId;
  private ProbeResult.Outcome lastOutcome;
  private int resultRun;
  private boolean onHold;
  private boolean probing;
  private boolean tickPending;
  private boolean stopped;
  private Instant nextTickAt;
  private ProbeScheduler.Cancellable timer;
  private long probesRun;
  private ProbeResult lastResult;
  private ProbeResult.Outcome publishedOutcome; // last outcome set in the results channel
  private String publishedFor; // for this container ID; null once its result was removed
  private Prober.Prepared prepared; // bound to preparedFor; made again when the target changes
  private Prober.ProbeTarget preparedFor;

  ProbeWorker(
      PodRef pod,
      String containerName,
      ProbeType type,
      ProbeSpec spec,
      Prober prober,
      ProbeScheduler scheduler,
      ProbeMetrics.WorkerMeters meters,
      ProbeResults results,
      Consumer<ProbeUpdate> afterPublish,
      Predicate<String> startupPassed,
      BooleanSupplier loopLagging) {
    this.pod = Objects.requireNonNull(pod, "pod");
    this.containerName = Objects.requireNonNull(containerName, "containerName");
    this.type = Objects.requireNonNull(type, "type");
    this.spec = Objects.requireNonNull(spec, "spec").validateFor(type);
    this.prober = prober;
    this.scheduler = scheduler;
    this.meters = meters;
    this.results = results;
    this.afterPublish = afterPublish;
    this.startupPassed = startupPassed;
    this.loopLagging = loopLagging;
    this.initialValue =
        switch (type) {
          case READINESS -> ProbeResult.failure("readiness probe has not succeeded yet");
          case LIVENESS -> ProbeResult.success("liveness probe has not failed yet");
          case STARTUP -> ProbeResult.unknown("startup probe has not succeeded yet");
        };
  }

  /**
   * Starts the tick loop. If the agent started less than a period ago, the first probe waits a
   * random part of the period, so the probes of adopted containers do not all fire at once.
   */
  void start(Instant agentStartedAt, RandomGenerator random) {
    var period = spec.period();
    var delay = Duration.ZERO;
    if (period.compareTo(Duration.between(agentStartedAt, scheduler.now())) > 0) {
      delay = Duration.ofNanos((long) (random.nextDouble() * period.toNanos()));
    }
    nextTickAt = scheduler.now().plus(delay);
    timer = scheduler.schedule(delay, tickTask);
  }

  /** Stops probing; a probe still running is ignored when it completes. */
  void stop() {
    stopped = true;
    if (timer != null) {
      timer.cancel();
    }
    meters.remove();
    if (containerId != null) {
      results.remove(containerId, type);
      publishedFor = null;
    }
  }

  /** The newest runtime state of the container; takes effect at the next tick. */
  void updateState(ContainerState newState) {
    this.state = newState;
  }

  /** Runs a probe now instead of waiting for the next tick (e.g. readiness once startup passed). */
  void trigger() {
    if (stopped) {
      return;
    }
    if (probing) {
      tickPending = true;
      return;
    }
    doProbe();
  }

  private void tick() {
    if (stopped) {
      return;
    }
    var now = scheduler.now();
    var due = nextTickAt;
    // Like a Go ticker with a slow receiver: ticks missed while the loop was busy are dropped,
    // the next one comes at the next period boundary.
    do {
      nextTickAt = nextTickAt.plus(spec.period());
    } while (!nextTickAt.isAfter(now));
    timer = scheduler.schedule(Duration.between(now, nextTickAt), tickTask);
    if (probing) {
      tickPending = true;
      return;
    }
    if (Duration.between(due, now).compareTo(spec.timeout()) > 0) {
      // The loop is a whole timeout behind: skip this probe instead of adding to the backlog.
      meters.shed(ProbeMetrics.ShedReason.LATE_START);
      return;
    }
    doProbe();
  }

  /**
   * How long after its start a probe's result may come before it says more about berth than about
   * the container: the timeout (which the probers enforce with a timer on the same loop) plus half
   * of it, at least 500 ms. A failure arriving later was delayed by an overloaded loop.
   */
  static Duration lateResultBound(ProbeSpec spec) {
    var half = spec.timeout().dividedBy(2);
    var slack = half.compareTo(LATE_RESULT_MIN_SLACK) < 0 ? LATE_RESULT_MIN_SLACK : half;
    return spec.timeout().plus(slack);
  }

  private static final Duration LATE_RESULT_MIN_SLACK = Duration.ofMillis(500);

  /**
   * Why a failure is not the container's, or null when it counts. Only failures that took the whole
   * timeout (timeouts) are excused: a failure that came later than {@link #lateResultBound}, or a
   * timeout while the loop lagged. A quick failure (refused, HTTP 500, exit 1) always counts.
   */
  private ProbeMetrics.ShedReason overloadVerdict(ProbeResult result, Duration elapsed) {
    if (result.outcome() != ProbeResult.Outcome.FAILURE || elapsed.compareTo(spec.timeout()) < 0) {
      return null;
    }
    if (elapsed.compareTo(lateResultBound(spec)) > 0) {
      return ProbeMetrics.ShedReason.LATE_RESULT;
    }
    return loopLagging.getAsBoolean() ? ProbeMetrics.ShedReason.LOOP_LAG : null;
  }

  private void doProbe() {
    var current = state;
    if (current == null) {
      return; // The container has not been created yet; wait for its state.
    }
    if (!current.containerId().equals(containerId)) {
      if (containerId != null) {
        results.remove(containerId, type);
        publishedFor = null;
      }
      containerId = current.containerId();
      onHold = false;
      publish(initialValue, current.running());
    }
    if (onHold) {
      return;
    }
    if (!current.running()) {
      publish(ProbeResult.failure("container " + containerId + " is not running"), false);
      return;
    }
    var startedAt = current.startedAt().orElseThrow();
    if (Duration.between(startedAt, scheduler.now()).toSeconds() < spec.initialDelaySeconds()) {
      return;
    }
    boolean started = startupPassed.test(containerId);
    if (started == (type == ProbeType.STARTUP)) {
      return; // Startup probes stop once started; the others wait for startup.
    }
    probing = true;
    probesRun++;
    var probedId = containerId;
    var probeStartedAt = scheduler.now();
    long t0 = System.nanoTime();
    java.util.concurrent.CompletionStage<ProbeResult> stage;
    try {
      if (prepared == null
          || !probedId.equals(preparedFor.containerId())
          || !Objects.equals(current.podIp(), preparedFor.podIp())) {
        preparedFor = new Prober.ProbeTarget(current.podIp(), probedId);
        prepared = prober.prepare(spec.handler(), preparedFor);
      }
      stage = prepared.probe(spec.timeout());
    } catch (RuntimeException e) {
      stage = java.util.concurrent.CompletableFuture.failedFuture(e);
    }
    stage.whenComplete(
        (result, error) -> {
          var r =
              error != null
                  ? ProbeResult.unknown("prober error for " + this + ": " + error)
                  : result;
          scheduler.execute(() -> onResult(probedId, probeStartedAt, r, System.nanoTime() - t0));
        });
  }

  private void onResult(String probedId, Instant startedAt, ProbeResult result, long nanos) {
    probing = false;
    if (stopped) {
      return;
    }
    var shed = overloadVerdict(result, Duration.between(startedAt, scheduler.now()));
    if (shed != null) {
      // Overloaded, not unhealthy: the failure is thrown away like an UNKNOWN prober error.
      meters.shed(shed);
      result = ProbeResult.unknown("probe loop overloaded (" + shed + "): " + result);
    }
    meters.record(result.outcome(), nanos);
    lastResult = result;
    if (probedId.equals(containerId) && !onHold) {
      applyThresholds(result);
    }
    if (tickPending) {
      tickPending = false;
      doProbe();
    }
  }

  private void applyThresholds(ProbeResult result) {
    var outcome = result.outcome();
    if (outcome == ProbeResult.Outcome.UNKNOWN) {
      return; // A prober error: throw the result away, as the kubelet does.
    }
    if (outcome == ProbeResult.Outcome.WARNING) {
      outcome = ProbeResult.Outcome.SUCCESS;
    }
    if (outcome == lastOutcome) {
      resultRun++;
    } else {
      lastOutcome = outcome;
      resultRun = 1;
    }
    if ((outcome == ProbeResult.Outcome.FAILURE && resultRun < spec.failureThreshold())
        || (outcome == ProbeResult.Outcome.SUCCESS && resultRun < spec.successThreshold())) {
      return;
    }
    publish(result, true);
    if (type.restartsOnFailure() && outcome == ProbeResult.Outcome.FAILURE) {
      onHold = true; // Wait for the restarted container's new ID.
      resultRun = 0;
    }
  }

  private void publish(ProbeResult result, boolean running) {
    var outcome =
        result.outcome() == ProbeResult.Outcome.WARNING
            ? ProbeResult.Outcome.SUCCESS
            : result.outcome();
    if (type != ProbeType.STARTUP
        && outcome == publishedOutcome
        && containerId.equals(publishedFor)) {
      // The results channel holds this outcome already and would drop the update; skipping it
      // saves a probe a map update (the kubelet's results manager also sends only changes).
      return;
    }
    publishedOutcome = outcome;
    publishedFor = containerId;
    var update =
        new ProbeUpdate(
            pod,
            containerName,
            containerId,
            type,
            result,
            running,
            spec.terminationGracePeriodSeconds());
    results.set(update);
    afterPublish.accept(update);
  }

  String containerId() {
    return containerId;
  }

  ProbeType type() {
    return type;
  }

  /** Whether the worker waits for a new container ID after a liveness/startup failure. */
  public boolean onHold() {
    return onHold;
  }

  /** A snapshot for operators; call on the scheduler's thread. */
  ProbeStatus status() {
    return new ProbeStatus(
        pod,
        containerName,
        type,
        java.util.Optional.ofNullable(containerId),
        java.util.Optional.ofNullable(lastResult),
        onHold,
        probesRun);
  }

  /** How many probes this worker has started. */
  public long probesRun() {
    return probesRun;
  }

  @Override
  public String toString() {
    return type.label() + " probe of container " + containerName + " in pod " + pod;
  }
}
