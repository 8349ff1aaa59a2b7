package io.berth.agent.podobjects;

import io.berth.agent.kuberuntime.ConfigSource;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kubelet's watch-based ConfigMap and Secret managers in one: every object a pod on this node
 * refers to is watched on its own ({@code fieldSelector=metadata.name=NAME} in its namespace) while
 * at least one such pod exists, and reads come from that watch's cache.
 *
 * <pre>
 *   pods on this node ──{@link #syncRegistrations()} (every second)──▶ start / stop one watch per object
 *   read configMap(ns, name) ──▶ its watch (started if missing) ──wait ≤ 1 s for the first list──▶ data
 *   watch event after the first list ──▶ wake each pod that refers to the object (volume refresh,
 *                                        a waiting container starts once its object appears)
 * </pre>
 *
 * A read whose watch has not listed within {@link #SYNC_WAIT} throws {@link
 * ObjectNotSyncedException} (the kubelet's "failed to sync configmap cache"): "not found" is only
 * answered from a synced cache, so an optional object is never skipped because the API server was
 * slow.
 *
 * <p>Thread safety: any thread; the watch table is guarded by this object, waits happen outside it.
 */
public final class WatchedObjects implements ConfigSource, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(WatchedObjects.class);

  /** The kubelet's wait for a fresh watch to list ({@code wait.PollImmediate(10ms, 1s, ...)}). */
  public static final Duration SYNC_WAIT = Duration.ofSeconds(1);

  /** One object's watch and cache. */
  public interface ObjectWatch extends AutoCloseable {
    /** Waits until the first list has been received; false when {@code timeout} passed first. */
    boolean awaitSynced(Duration timeout) throws InterruptedException;

    /** The object's data (secrets decoded) as the last event left it; empty when it is absent. */
    Optional<Map<String, String>> data();

    @Override
    void close();
  }

  /** Starts watches; {@code changed} runs after each event that follows the first list. */
  @FunctionalInterface
  public interface WatchFactory {
    ObjectWatch start(ObjectKey key, Runnable changed);
  }

  private final WatchFactory factory;
  private final Supplier<List<Pod>> pods;
  private final Consumer<String> wakePod;
  private final Map<ObjectKey, ObjectWatch> watches = new HashMap<>();
  private boolean closed;

  /**
   * @param pods the pods on this node (PodConfig's merged state)
   * @param wakePod asks a pod's worker (by uid) for a sync now
   */
  public WatchedObjects(WatchFactory factory, Supplier<List<Pod>> pods, Consumer<String> wakePod) {
    this.factory = factory;
    this.pods = pods;
    this.wakePod = wakePod;
  }

  @Override
  public Optional<Map<String, String>> configMap(String namespace, String name) {
    return read(ObjectKey.configMap(namespace, name));
  }

  @Override
  public Optional<Map<String, String>> secret(String namespace, String name) {
    return read(ObjectKey.secret(namespace, name));
  }

  private Optional<Map<String, String>> read(ObjectKey key) {
    ObjectWatch w = register(key);
    if (w == null) {
      throw new ObjectNotSyncedException(key); // berth is stopping
    }
    try {
      if (!w.awaitSynced(SYNC_WAIT)) {
        throw new ObjectNotSyncedException(key);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ObjectNotSyncedException(key);
    }
    return w.data();
  }

  private synchronized ObjectWatch register(ObjectKey key) {
    if (closed) {
      return null;
    }
    ObjectWatch w = watches.get(key);
    if (w == null) {
      w = factory.start(key, () -> changed(key));
      watches.put(key, w);
      log.debug("watching {}", key);
    }
    return w;
  }

  /**
   * The kubelet's RegisterPod/UnregisterPod as one pass: watches every object the current pods
   * refer to (so their first list overlaps the pod's sandbox start) and stops the watches of
   * objects no pod refers to any more.
   */
  public void syncRegistrations() {
    Set<ObjectKey> wanted = new HashSet<>();
    for (Pod p : pods.get()) {
      wanted.addAll(PodReferences.of(p));
    }
    List<ObjectWatch> stale = new ArrayList<>();
    synchronized (this) {
      if (closed) {
        return;
      }
      for (var it = watches.entrySet().iterator(); it.hasNext(); ) {
        var e = it.next();
        if (!wanted.contains(e.getKey())) {
          stale.add(e.getValue());
          it.remove();
          log.debug("no pod refers to {} any more: watch stopped", e.getKey());
        }
      }
    }
    stale.forEach(ObjectWatch::close);
    wanted.forEach(this::register);
  }

  /** The objects watched now. */
  public synchronized Set<ObjectKey> watched() {
    return Set.copyOf(watches.keySet());
  }

  private void changed(ObjectKey key) {
    for (Pod p : pods.get()) {
      if (PodReferences.of(p).contains(key)) {
        wakePod.accept(p.getMetadata().getUid());
      }
    }
  }

  @Override
  public void close() {
    List<ObjectWatch> all;
    synchronized (this) {
      closed = true;
      all = List.copyOf(watches.values());
      watches.clear();
    }
    all.forEach(ObjectWatch::close);
  }
}
