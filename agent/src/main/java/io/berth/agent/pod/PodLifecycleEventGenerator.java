package io.berth.agent.pod;

import io.berth.agent.kuberuntime.RuntimeLabels;
import io.berth.cri.Container;
import io.berth.cri.ContainerFilter;
import io.berth.cri.CriException;
import io.berth.cri.CriUnavailableException;
import io.berth.cri.PodSandbox;
import io.berth.cri.PodSandboxFilter;
import io.berth.cri.PodSandboxState;
import io.berth.cri.RuntimeService;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The generic PLEG ({@code pkg/kubelet/pleg/generic.go}): every period it lists all sandboxes and
 * containers that carry {@code io.kubernetes.pod.uid}, compares each one's state with the previous
 * relist, and emits {@link PodLifecycleEvent}s. Sandboxes count as containers (ready = running, not
 * ready = exited), as in the kubelet.
 *
 * <pre>
 *   old \ new   running   exited   unknown/created   gone
 *   (any)       STARTED   DIED     CHANGED           DIED+REMOVED (REMOVED if it was exited)
 * </pre>
 *
 * <p>Thread safety: {@link #relist()} is serialized; {@link #runtimePods()} may be read from any
 * thread.
 */
public final class PodLifecycleEventGenerator implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PodLifecycleEventGenerator.class);

  /** A container's (or sandbox's) state as the PLEG tracks it. */
  enum State {
    RUNNING,
    EXITED,
    UNKNOWN,
    NON_EXISTENT
  }

  private final Supplier<RuntimeService> runtime;
  private final Consumer<PodLifecycleEvent> sink;
  private final Clock clock;

  /** pod uid → (id → state) from the last successful relist. */
  private Map<String, Map<String, State>> previous = Map.of();

  private volatile RuntimePods runtimePods = new RuntimePods(Set.of(), Instant.EPOCH);
  private volatile RuntimeListing lastListing;

  /**
   * The sandboxes and containers of the last successful relist, as the runtime listed them, for
   * readers that can use a listing up to a relist period old instead of asking the runtime again
   * (the metrics inventory, as the kubelet's stats use its runtime cache).
   */
  public record RuntimeListing(
      List<PodSandbox> sandboxes, List<Container> containers, Instant listedAt) {
    public RuntimeListing {
      sandboxes = List.copyOf(sandboxes);
      containers = List.copyOf(containers);
    }
  }

  private boolean failing;
  private ScheduledFuture<?> task;

  private final Consumer<Duration> relistTimes;

  public PodLifecycleEventGenerator(
      Supplier<RuntimeService> runtime, Consumer<PodLifecycleEvent> sink, Clock clock) {
    this(runtime, sink, clock, d -> {});
  }

  /**
   * @param relistTimes receives the duration of every successful relist (the kubelet's {@code
   *     pleg_relist_duration_seconds})
   */
  public PodLifecycleEventGenerator(
      Supplier<RuntimeService> runtime,
      Consumer<PodLifecycleEvent> sink,
      Clock clock,
      Consumer<Duration> relistTimes) {
    this.runtime = runtime;
    this.sink = sink;
    this.clock = clock;
    this.relistTimes = relistTimes;
  }

  /** What the last successful relist listed; empty before the first one. */
  public Optional<RuntimeListing> lastListing() {
    return Optional.ofNullable(lastListing);
  }

  /** Relists every {@code period} on {@code scheduler} (the kubelet's 1 s). */
  public synchronized void start(ScheduledExecutorService scheduler, Duration period) {
    task =
        scheduler.scheduleWithFixedDelay(
            this::relistLogged, 0, period.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void relistLogged() {
    try {
      long t0 = System.nanoTime();
      relist();
      relistTimes.accept(Duration.ofNanos(System.nanoTime() - t0));
      if (failing) {
        log.info("PLEG relist works again");
        failing = false;
      }
    } catch (CriUnavailableException e) {
      if (!failing) {
        log.info("PLEG waits for the runtime: {}", e.getMessage());
        failing = true;
      }
    } catch (CriException e) {
      if (!failing) {
        log.warn("PLEG relist failed, will retry every period: {}", e.getMessage());
        failing = true;
      }
    } catch (RuntimeException e) {
      log.error("PLEG relist failed unexpectedly", e);
    }
  }

  /** Lists the runtime once and emits the events of what changed since the last relist. */
  public synchronized List<PodLifecycleEvent> relist() {
    Instant started = clock.instant();
    RuntimeService rt = runtime.get();
    Map<String, Map<String, State>> current = new HashMap<>();
    List<PodSandbox> sandboxes = rt.listPodSandbox(PodSandboxFilter.all());
    for (PodSandbox s : sandboxes) {
      String uid = s.labels().get(RuntimeLabels.POD_UID);
      if (uid != null) {
        current
            .computeIfAbsent(uid, u -> new HashMap<>())
            .put(s.id(), s.state() == PodSandboxState.READY ? State.RUNNING : State.EXITED);
      }
    }
    List<Container> containers = rt.listContainers(ContainerFilter.all());
    for (Container c : containers) {
      String uid = c.labels().get(RuntimeLabels.POD_UID);
      if (uid != null) {
        current.computeIfAbsent(uid, u -> new HashMap<>()).put(c.id(), state(c));
      }
    }
    List<PodLifecycleEvent> events = diff(previous, current);
    previous = current;
    runtimePods = new RuntimePods(current.keySet(), started);
    lastListing = new RuntimeListing(sandboxes, containers, started);
    events.forEach(sink);
    return events;
  }

  static State state(Container c) {
    if (c.state() == null) {
      return State.UNKNOWN;
    }
    return switch (c.state()) {
      case RUNNING -> State.RUNNING;
      case EXITED -> State.EXITED;
      case CREATED, UNKNOWN -> State.UNKNOWN;
    };
  }

  /** The events between two relists ({@code generateEvents} for every id of every pod). */
  static List<PodLifecycleEvent> diff(
      Map<String, Map<String, State>> before, Map<String, Map<String, State>> after) {
    Set<String> uids = new HashSet<>(before.keySet());
    uids.addAll(after.keySet());
    List<PodLifecycleEvent> events = new ArrayList<>();
    for (String uid : uids.stream().sorted().toList()) {
      Map<String, State> old = before.getOrDefault(uid, Map.of());
      Map<String, State> now = after.getOrDefault(uid, Map.of());
      Set<String> ids = new HashSet<>(old.keySet());
      ids.addAll(now.keySet());
      for (String id : ids.stream().sorted().toList()) {
        State o = old.getOrDefault(id, State.NON_EXISTENT);
        State n = now.getOrDefault(id, State.NON_EXISTENT);
        if (o != n) {
          generate(uid, id, o, n, events);
        }
      }
    }
    return events;
  }

  private static void generate(
      String uid, String id, State old, State now, List<PodLifecycleEvent> out) {
    switch (now) {
      case RUNNING ->
          out.add(new PodLifecycleEvent(uid, PodLifecycleEvent.Type.CONTAINER_STARTED, id));
      case EXITED -> out.add(new PodLifecycleEvent(uid, PodLifecycleEvent.Type.CONTAINER_DIED, id));
      case UNKNOWN ->
          out.add(new PodLifecycleEvent(uid, PodLifecycleEvent.Type.CONTAINER_CHANGED, id));
      case NON_EXISTENT -> {
        if (old != State.EXITED) {
          out.add(new PodLifecycleEvent(uid, PodLifecycleEvent.Type.CONTAINER_DIED, id));
        }
        out.add(new PodLifecycleEvent(uid, PodLifecycleEvent.Type.CONTAINER_REMOVED, id));
      }
    }
  }

  /**
   * The pod UIDs the runtime had at the last relist.
   *
   * @param listedAt when that relist started: the runtime may have changed since
   */
  public record RuntimePods(Set<String> uids, Instant listedAt) {
    public RuntimePods {
      uids = Set.copyOf(uids);
    }
  }

  /** What the last successful relist saw ({@link Instant#EPOCH} and no pods before the first). */
  public RuntimePods runtimePods() {
    return runtimePods;
  }

  @Override
  public synchronized void close() {
    if (task != null) {
      task.cancel(false);
    }
  }
}
