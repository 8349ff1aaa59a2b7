package io.berth.agent.pod;

import io.fabric8.kubernetes.api.model.Pod;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One worker per pod UID (the kubelet's {@code podWorkers}): a virtual thread that syncs its pod
 * through a {@link PodSyncer}, always on the newest spec.
 *
 * <pre>
 *   sync(pod) ──▶ slot (latest wins) + wake ──▶ worker: syncPod(newest) … wait(resync or wake)
 *   terminate(uid) ──▶ SYNCING → TERMINATING ──▶ worker: terminatePod(...) ──▶ TERMINATED, ends
 * </pre>
 *
 * <p>A spec that arrives while a sync runs replaces any spec still waiting in the slot, so stale
 * specs are never synced. A pod asked to run again while it terminates (same UID, e.g. a manifest
 * put back) is started on a fresh worker once termination finished.
 *
 * <p>Thread safety: all public methods may be called from any thread.
 */
public final class PodWorkers implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PodWorkers.class);

  /** How long to wait before retrying a sync or termination that threw. */
  static final Duration ERROR_RETRY = Duration.ofSeconds(1);

  /** A pod's lifecycle as its worker sees it. */
  public enum State {
    /** Running containers towards the spec. */
    SYNCING,
    /** Stopping containers and the sandbox; no new containers start. */
    TERMINATING,
    /** Nothing runs; the worker has ended. */
    TERMINATED
  }

  /** How long a finished termination is remembered (see {@link #terminatedSince}). */
  static final Duration REMEMBER_TERMINATED = Duration.ofMinutes(1);

  private final PodSyncer syncer;
  private final Clock clock;
  private final Map<String, Worker> workers = new HashMap<>();
  private final Map<String, Instant> terminatedAt = new HashMap<>();
  private volatile boolean closed;

  public PodWorkers(PodSyncer syncer, Clock clock) {
    this.syncer = syncer;
    this.clock = clock;
  }

  /** Runs {@code pod} (a new pod or a new spec): its worker syncs the newest spec next. */
  public synchronized void sync(Pod pod) {
    String uid = uid(pod);
    Worker w = workers.get(uid);
    if (w == null) {
      startWorker(uid, pod);
      return;
    }
    w.offer(pod);
  }

  /** Wakes the worker of {@code uid} for a sync now (PLEG event); ignored for unknown pods. */
  public synchronized void resync(String uid) {
    Worker w = workers.get(uid);
    if (w != null) {
      w.wake();
    }
  }

  /**
   * Wakes the worker of {@code uid} for a sync if {@code stillNews} holds once the worker is
   * between syncs: an event that arrives while a sync runs is judged against what that sync saw, so
   * a runtime change the worker made itself does not cost a second sync. Ignored for unknown pods.
   */
  public synchronized void resyncIf(String uid, BooleanSupplier stillNews) {
    Worker w = workers.get(uid);
    if (w != null) {
      w.wakeIf(stillNews);
    }
  }

  /**
   * Terminates pod {@code uid} within {@code gracePeriod}. {@code pod} is empty for an orphan; an
   * unknown UID gets a worker that only terminates.
   */
  public synchronized void terminate(String uid, Optional<Pod> pod, Duration gracePeriod) {
    Worker w = workers.get(uid);
    if (w == null) {
      if (closed) {
        return;
      }
      w = new Worker(uid, pod.orElse(null));
      workers.put(uid, w);
      w.requestTermination(gracePeriod);
      w.thread = Thread.ofVirtual().name("pod-worker-" + uid).start(w::run);
      return;
    }
    w.requestTermination(gracePeriod);
  }

  /** The lifecycle state of {@code uid}; empty when no worker has it (never seen, or done). */
  public synchronized Optional<State> state(String uid) {
    Worker w = workers.get(uid);
    return w == null ? Optional.empty() : Optional.of(w.state());
  }

  /** True while the pod may still have running containers (syncing or terminating). */
  public synchronized boolean couldHaveRunningContainers(String uid) {
    Worker w = workers.get(uid);
    return w != null && w.state() != State.TERMINATED;
  }

  /** True once termination was asked for (terminating or terminated). */
  public synchronized boolean isTerminationRequested(String uid) {
    Worker w = workers.get(uid);
    return w != null && w.state() != State.SYNCING;
  }

  /**
   * True when pod {@code uid} finished terminating at or after {@code t}: a runtime listing taken
   * at {@code t} may still show it, so it is no orphan.
   */
  public synchronized boolean terminatedSince(String uid, Instant t) {
    Instant at = terminatedAt.get(uid);
    return at != null && !at.isBefore(t);
  }

  /** The newest spec the worker of {@code uid} was given; empty for orphans and unknown pods. */
  public synchronized Optional<Pod> lastSpec(String uid) {
    Worker w = workers.get(uid);
    return w == null ? Optional.empty() : Optional.ofNullable(w.lastSpec());
  }

  /** The UIDs that have a worker. */
  public synchronized Set<String> knownUids() {
    return Set.copyOf(workers.keySet());
  }

  private void startWorker(String uid, Pod pod) {
    if (closed) {
      return;
    }
    Worker w = new Worker(uid, pod);
    workers.put(uid, w);
    w.thread = Thread.ofVirtual().name("pod-worker-" + PodStatuses.fullName(pod)).start(w::run);
  }

  private synchronized void finished(Worker w) {
    if (workers.get(w.uid) == w) {
      workers.remove(w.uid);
    }
    Instant now = clock.instant();
    terminatedAt.values().removeIf(t -> t.plus(REMEMBER_TERMINATED).isBefore(now));
    terminatedAt.put(w.uid, now);
    Pod again = w.restartAfterTermination();
    if (again != null) {
      log.info("pod {} ({}) terminated; starting it again", PodStatuses.fullName(again), w.uid);
      startWorker(w.uid, again);
    }
  }

  private static String uid(Pod pod) {
    String uid = pod.getMetadata() == null ? null : pod.getMetadata().getUid();
    if (uid == null || uid.isEmpty()) {
      throw new IllegalArgumentException("pod has no metadata.uid: " + PodStatuses.fullName(pod));
    }
    return uid;
  }

  /** Stops every worker without touching the pods (berth stops; pods keep running). */
  @Override
  public void close() {
    Map<String, Worker> all;
    synchronized (this) {
      closed = true;
      all = Map.copyOf(workers);
    }
    all.values().forEach(w -> w.thread.interrupt());
  }

  /** One pod's worker: the latest-wins slot, the wake-up signal and the lifecycle state. */
  private final class Worker {
    final String uid;
    final ReentrantLock lock = new ReentrantLock();
    final Condition signal = lock.newCondition();
    Thread thread;
    // guarded by lock
    Pod pending;
    Pod current;
    boolean woken = true; // the first sync runs at once
    final List<BooleanSupplier> maybe = new ArrayList<>(); // conditional wake-ups, see resyncIf
    State state = State.SYNCING;
    Duration grace = Duration.ZERO;
    Pod restartAfterTermination;

    Worker(String uid, Pod pod) {
      this.uid = uid;
      this.current = pod;
    }

    Pod lastSpec() {
      lock.lock();
      try {
        return pending != null ? pending : current;
      } finally {
        lock.unlock();
      }
    }

    State state() {
      lock.lock();
      try {
        return state;
      } finally {
        lock.unlock();
      }
    }

    void offer(Pod pod) {
      lock.lock();
      try {
        if (state == State.SYNCING) {
          pending = pod; // latest wins: a spec not yet synced is replaced
        } else {
          restartAfterTermination = pod;
        }
        woken = true;
        signal.signal();
      } finally {
        lock.unlock();
      }
    }

    void wake() {
      lock.lock();
      try {
        woken = true;
        signal.signal();
      } finally {
        lock.unlock();
      }
    }

    void wakeIf(BooleanSupplier stillNews) {
      lock.lock();
      try {
        maybe.add(stillNews);
        signal.signal();
      } finally {
        lock.unlock();
      }
    }

    /**
     * Waits until woken, a conditional wake-up that is still news, or {@code wait} is over. Holding
     * {@link #lock}; the conditions are evaluated without it.
     */
    private void awaitWake(Duration wait) throws InterruptedException {
      long deadline = System.nanoTime() + wait.toNanos();
      while (!woken) {
        if (!maybe.isEmpty()) {
          List<BooleanSupplier> check = List.copyOf(maybe);
          maybe.clear();
          boolean news = false;
          lock.unlock();
          try {
            for (BooleanSupplier c : check) {
              news |= c.getAsBoolean();
            }
          } finally {
            lock.lock();
          }
          if (news) {
            break;
          }
          continue;
        }
        long nanos = deadline - System.nanoTime();
        if (nanos <= 0) {
          break;
        }
        signal.awaitNanos(nanos);
      }
      woken = false;
      maybe.clear(); // the sync about to run sees whatever they were about
    }

    void requestTermination(Duration gracePeriod) {
      lock.lock();
      try {
        if (state == State.SYNCING) {
          state = State.TERMINATING;
          grace = gracePeriod;
        } else if (state == State.TERMINATING && gracePeriod.compareTo(grace) < 0) {
          grace = gracePeriod; // the kubelet only ever shortens a running termination
        }
        restartAfterTermination = null;
        woken = true;
        signal.signal();
      } finally {
        lock.unlock();
      }
    }

    Pod restartAfterTermination() {
      lock.lock();
      try {
        return restartAfterTermination;
      } finally {
        lock.unlock();
      }
    }

    void run() {
      Duration wait = Duration.ZERO;
      while (true) {
        Pod pod;
        boolean terminating;
        Duration gracePeriod;
        lock.lock();
        try {
          awaitWake(wait);
          if (pending != null) {
            current = pending;
            pending = null;
          }
          pod = current;
          terminating = state == State.TERMINATING;
          gracePeriod = grace;
        } catch (InterruptedException e) {
          return; // berth stops; the pod keeps running
        } finally {
          lock.unlock();
        }
        if (terminating) {
          if (terminate(pod, gracePeriod)) {
            return;
          }
          wait = ERROR_RETRY;
          continue;
        }
        try {
          wait = syncer.syncPod(pod);
        } catch (RuntimeException e) {
          if (closed) {
            return; // berth stops mid-sync (calls interrupted); the pod keeps running
          }
          log.warn(
              "pod {} ({}): sync failed, retrying: {}",
              PodStatuses.fullName(pod),
              uid,
              e.toString(),
              e);
          wait = ERROR_RETRY;
        }
        if (closed) {
          return;
        }
      }
    }

    private boolean terminate(Pod pod, Duration gracePeriod) {
      try {
        syncer.terminatePod(uid, Optional.ofNullable(pod), gracePeriod);
      } catch (RuntimeException e) {
        if (closed) {
          return true;
        }
        log.warn("pod {} ({}): termination failed, retrying", PodStatuses.fullName(pod), uid, e);
        return false;
      }
      lock.lock();
      try {
        state = State.TERMINATED;
      } finally {
        lock.unlock();
      }
      finished(this);
      return true;
    }
  }
}
