package io.berth.agent.shutdown;

import io.berth.agent.admission.Admission;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kubelet's node shutdown manager: holds a logind delay inhibitor lock while the node runs; on
 * {@code PrepareForShutdown(true)} refuses new pods, terminates the running ones group by group
 * (ascending priority, each within its group's grace period, at most the pod's own) and then
 * releases the lock; on {@code PrepareForShutdown(false)} (the shutdown was cancelled) admits pods
 * again and takes a new lock.
 *
 * <p>When logind cannot be reached berth logs one line and runs without it, as the kubelet does.
 *
 * <p>Thread safety: signals arrive on the D-Bus dispatch thread; the pods are terminated on a
 * virtual thread of their own; every method may be called from any thread.
 */
public final class NodeShutdownManager implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(NodeShutdownManager.class);

  /** The reason and message the kubelet writes on pods it terminates for a node shutdown. */
  public static final String POD_REASON = "Terminated";

  public static final String POD_MESSAGE =
      "Pod was terminated in response to imminent node shutdown.";

  /** The kubelet's Ready-condition error while the node shuts down (nodeshutdown manager). */
  public static final String NODE_NOT_READY_MESSAGE = "node is shutting down";

  /**
   * The reason of the {@code DisruptionTarget} condition the kubelet adds to the pods it terminates
   * for a node shutdown ({@code v1.PodReasonTerminationByKubelet}).
   */
  public static final String TERMINATION_BY_KUBELET = "TerminationByKubelet";

  /** The kubelet's admission verdict while the node shuts down. */
  public static final Admission.Reject NOT_ADMITTED =
      new Admission.Reject("NodeShutdown", "Pod was rejected as the node is shutting down.");

  static final String WHO = "berth";
  static final String WHY = "berth needs time to stop pods gracefully before the node shuts down";

  private final NodeShutdownSettings settings;
  private final List<ShutdownGroup> groups;
  private final Logind.Connector connector;
  private final NodePods pods;
  private final Clock clock;
  private Logind logind;
  private InhibitLock lock;
  private volatile boolean shuttingDown;
  private Thread shutdown;
  private boolean closed;
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

  public NodeShutdownManager(
      NodeShutdownSettings settings, Logind.Connector connector, NodePods pods, Clock clock) {
    this.settings = settings;
    this.groups = ShutdownGroup.of(settings);
    this.connector = connector;
    this.pods = pods;
    this.clock = clock;
  }

  /**
   * Connects to logind and takes the lock; with the feature off, or logind unavailable, it logs why
   * and returns (berth runs on without it).
   */
  public synchronized void start() {
    if (!settings.enabled()) {
      log.debug("graceful node shutdown is off (shutdownGracePeriod 0)");
      return;
    }
    try {
      logind = connector.connect();
      Duration max = logind.inhibitDelayMax();
      if (max.compareTo(settings.totalGracePeriod()) < 0) {
        log.warn(
            "logind's InhibitDelayMaxSec is {} s, shorter than shutdownGracePeriod {} s: the"
                + " shutdown will not wait longer than {} s for pods (raise InhibitDelayMaxSec in"
                + " logind.conf)",
            max.toMillis() / 1000.0,
            settings.totalGracePeriod().toSeconds(),
            max.toMillis() / 1000.0);
      }
      logind.onPrepareForShutdown(this::prepareForShutdown);
      lock = logind.inhibitShutdownDelay(WHO, WHY);
      log.info(
          "graceful node shutdown: holding a logind delay inhibitor lock; groups {}",
          describe(groups));
    } catch (LogindUnavailableException e) {
      log.warn(
          "graceful node shutdown is not available, pods will not be stopped before a node"
              + " shutdown: {}",
          e.getMessage());
      if (logind != null) {
        logind.close();
        logind = null;
      }
    }
  }

  /** The verdict for a pod new to the node: refused while the node shuts down. */
  public Optional<Admission.Reject> admit(Pod pod) {
    return shuttingDown ? Optional.of(NOT_ADMITTED) : Optional.empty();
  }

  public boolean shuttingDown() {
    return shuttingDown;
  }

  /**
   * Runs {@code listener} (on the D-Bus dispatch thread) each time {@link #shuttingDown()} changes,
   * so that the node status is reported at once, as the kubelet's manager syncs it.
   */
  public void onShuttingDownChanged(Runnable listener) {
    listeners.add(listener);
  }

  private void notifyListeners() {
    for (Runnable l : listeners) {
      try {
        l.run();
      } catch (RuntimeException e) {
        log.warn("node shutdown: a listener failed: {}", e.toString());
      }
    }
  }

  /** A {@code PrepareForShutdown(active)} signal from logind. */
  void prepareForShutdown(boolean active) {
    synchronized (this) {
      if (closed) {
        return;
      }
      if (!active) {
        if (!shuttingDown) {
          return;
        }
        shuttingDown = false;
        log.info("node shutdown cancelled: admitting pods again");
        if (lock == null) {
          try {
            lock = logind.inhibitShutdownDelay(WHO, WHY);
          } catch (LogindUnavailableException e) {
            log.warn("cannot take the inhibitor lock again: {}", e.getMessage());
          }
        }
        notifyListeners();
        return;
      }
      if (shuttingDown) {
        return;
      }
      shuttingDown = true;
      InhibitLock held = lock;
      lock = null;
      log.info(
          "node is shutting down: no new pods; terminating pods within {} s",
          settings.totalGracePeriod().toSeconds());
      shutdown = Thread.ofVirtual().name("berth-node-shutdown").start(() -> terminatePods(held));
    }
    notifyListeners();
  }

  private void terminatePods(InhibitLock held) {
    Instant start = clock.instant();
    try {
      List<List<Pod>> byGroup = ShutdownGroup.assign(groups, pods.active());
      for (int i = 0; i < groups.size(); i++) {
        ShutdownGroup g = groups.get(i);
        List<Pod> members = byGroup.get(i);
        if (members.isEmpty()) {
          continue;
        }
        log.info(
            "node shutdown: terminating {} pod(s) of priority >= {} with grace {} s: {}",
            members.size(),
            g.priority(),
            g.grace().toSeconds(),
            members.stream().map(NodeShutdownManager::name).collect(Collectors.joining(", ")));
        for (Pod p : members) {
          pods.kill(p, graceFor(p, g));
        }
        Set<String> uids =
            members.stream().map(p -> p.getMetadata().getUid()).collect(Collectors.toSet());
        if (!pods.awaitStopped(uids, g.grace())) {
          log.warn(
              "node shutdown: pods of priority >= {} still running after {} s, going on",
              g.priority(),
              g.grace().toSeconds());
        }
      }
      log.info(
          "node shutdown: pods terminated in {} ms; releasing the inhibitor lock",
          Duration.between(start, clock.instant()).toMillis());
    } catch (InterruptedException e) {
      log.info("node shutdown: berth stops while terminating pods; releasing the inhibitor lock");
    } catch (RuntimeException e) {
      log.error("node shutdown: terminating pods failed; releasing the inhibitor lock", e);
    } finally {
      if (held != null) {
        held.close();
      }
    }
  }

  /** The group's grace, or the pod's own {@code terminationGracePeriodSeconds} when shorter. */
  static Duration graceFor(Pod pod, ShutdownGroup g) {
    Long own = pod.getSpec().getTerminationGracePeriodSeconds();
    return own != null && own >= 0 && Duration.ofSeconds(own).compareTo(g.grace()) <= 0
        ? Duration.ofSeconds(own)
        : g.grace();
  }

  private static String name(Pod p) {
    return p.getMetadata().getNamespace() + "/" + p.getMetadata().getName();
  }

  private static String describe(List<ShutdownGroup> groups) {
    return groups.stream()
        .map(g -> "priority >= " + g.priority() + ": " + g.grace().toSeconds() + " s")
        .collect(Collectors.joining(", ", "[", "]"));
  }

  /** Waits for a running pod termination (tests, orderly stop); false when it did not end. */
  public boolean awaitTerminated(Duration timeout) throws InterruptedException {
    Thread t;
    synchronized (this) {
      t = shutdown;
    }
    return t == null || t.join(timeout);
  }

  /** Releases the lock (berth stops: pods keep running) and disconnects from logind. */
  @Override
  public void close() {
    Thread t;
    synchronized (this) {
      closed = true;
      t = shutdown;
      if (lock != null) {
        lock.close();
        lock = null;
      }
    }
    if (t != null) {
      t.interrupt();
    }
    synchronized (this) {
      if (logind != null) {
        logind.close();
        logind = null;
      }
    }
  }
}
