package io.berth.agent.config;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Merges the pod sources (file, URL, later the API server) into one ordered stream of {@link
 * PodUpdate}s, as the kubelet's {@code PodConfig} in incremental mode ({@code
 * pkg/kubelet/config/config.go}).
 *
 * <pre>
 *  FileSource ─┐ SourceSnapshot                       PodUpdate (REMOVE, ADD, UPDATE,
 *  UrlSource  ─┼──────────────▶ merge() ── per source ──▶ DELETE, RECONCILE, SET) ──▶ take()
 *  API        ─┘               (UID → pod)                                           sync loop
 * </pre>
 *
 * <p>Per source, pods are keyed by UID. A snapshot that drops a pod yields REMOVE; a new UID yields
 * ADD; a changed spec, labels, non-local annotations or deletion fields yields UPDATE (or DELETE
 * when a deletion timestamp appeared); a status-only change yields RECONCILE. The first snapshot of
 * a source marks it seen and, when it brings nothing, sends an empty ADD so the sync loop learns
 * the source is ready. {@link #allSourcesReady()} is true once every registered source has sent a
 * snapshot: only then may the sync loop clean up orphans.
 *
 * <p>Full-name conflicts: within one snapshot the first pod of a name wins (kubelet {@code
 * filterInvalidPods}); across sources the pod admitted first keeps the name and the other is held
 * back and listed in {@link #rejectedManifests()} until the name is free again.
 *
 * <p>Thread safety: all methods are thread safe; merges are serialized so updates are delivered in
 * order. The update queue is unbounded; there is one consumer.
 */
public final class PodConfig implements SnapshotSink {
  /** {@code kubernetes.io/config.source}. */
  public static final String CONFIG_SOURCE_ANNOTATION = "kubernetes.io/config.source";

  /** {@code kubernetes.io/config.seen}: when berth first saw the pod (in memory only). */
  public static final String CONFIG_SEEN_ANNOTATION = "kubernetes.io/config.seen";

  /** {@code kubernetes.io/config.mirror}. */
  public static final String CONFIG_MIRROR_ANNOTATION = "kubernetes.io/config.mirror";

  private static final Set<String> LOCAL_ANNOTATIONS =
      Set.of(CONFIG_SOURCE_ANNOTATION, CONFIG_SEEN_ANNOTATION, CONFIG_MIRROR_ANNOTATION);
  private static final Logger log = LoggerFactory.getLogger(PodConfig.class);

  private final Clock clock;
  private final ManifestDecoder copier;
  private final BlockingQueue<PodUpdate> updates = new LinkedBlockingQueue<>();
  private final Object lock = new Object();
  private final Set<ConfigSource> registered = EnumSet.noneOf(ConfigSource.class);
  private final Set<ConfigSource> seen = EnumSet.noneOf(ConfigSource.class);
  private final Map<ConfigSource, Map<String, Pod>> admitted = new EnumMap<>(ConfigSource.class);
  private final Map<ConfigSource, List<Pod>> offered = new EnumMap<>(ConfigSource.class);
  private final Map<ConfigSource, List<RejectedManifest>> sourceRejected =
      new EnumMap<>(ConfigSource.class);
  private Map<String, RejectedManifest> conflicts = new LinkedHashMap<>();

  public PodConfig(Clock clock, ManifestDecoder copier) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.copier = Objects.requireNonNull(copier, "copier");
  }

  /** Declares a configured source; {@link #allSourcesReady()} waits for every one. */
  @Override
  public void register(ConfigSource source) {
    synchronized (lock) {
      registered.add(source);
    }
  }

  /** True when every registered source has delivered at least one snapshot. */
  public boolean allSourcesReady() {
    synchronized (lock) {
      return seen.containsAll(registered);
    }
  }

  /** The sources that have delivered at least one snapshot. */
  public Set<ConfigSource> seenSources() {
    synchronized (lock) {
      return seen.isEmpty() ? Set.of() : Set.copyOf(seen);
    }
  }

  /** Manifests the sources refuse, plus pods held back by a full-name conflict. */
  public List<RejectedManifest> rejectedManifests() {
    synchronized (lock) {
      List<RejectedManifest> all = new ArrayList<>();
      sourceRejected.values().forEach(all::addAll);
      all.addAll(conflicts.values());
      return List.copyOf(all);
    }
  }

  /** Waits for the next update. */
  public PodUpdate take() throws InterruptedException {
    return updates.take();
  }

  /** The next update, or null after {@code timeout}. */
  public PodUpdate poll(Duration timeout) throws InterruptedException {
    return updates.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** Sends the whole merged state as a {@link PodUpdate.Set}. */
  public void sync() {
    synchronized (lock) {
      updates.add(new PodUpdate.Set(mergedState()));
    }
  }

  /** Deep copies of every admitted pod of every source. */
  public List<Pod> mergedState() {
    synchronized (lock) {
      List<Pod> all = new ArrayList<>();
      admitted.values().forEach(m -> m.values().forEach(p -> all.add(copier.copy(p))));
      return all;
    }
  }

  /**
   * Records the manifests a source currently refuses without changing its pods or marking it seen:
   * used when a source could not produce a listing (e.g. the URL returned garbage).
   */
  @Override
  public void reportRejected(ConfigSource source, List<RejectedManifest> rejected) {
    synchronized (lock) {
      sourceRejected.put(source, List.copyOf(rejected));
    }
  }

  /** Applies a source's full state and delivers the resulting updates. */
  @Override
  public void merge(SourceSnapshot snapshot) {
    synchronized (lock) {
      ConfigSource source = snapshot.source();
      boolean firstSet = seen.add(source);
      offered.put(source, snapshot.pods());
      sourceRejected.put(source, snapshot.rejected());
      Map<String, RejectedManifest> newConflicts = new LinkedHashMap<>();
      Changes changes = apply(source, newConflicts);
      List<PodUpdate> out = new ArrayList<>();
      if (!changes.removes.isEmpty()) {
        out.add(new PodUpdate.Remove(source, copies(changes.removes)));
      }
      if (!changes.adds.isEmpty()) {
        out.add(new PodUpdate.Add(source, copies(changes.adds)));
      }
      if (!changes.updates.isEmpty()) {
        out.add(new PodUpdate.Update(source, copies(changes.updates)));
      }
      if (!changes.deletes.isEmpty()) {
        out.add(new PodUpdate.Delete(source, copies(changes.deletes)));
      }
      if (firstSet
          && changes.adds.isEmpty()
          && changes.updates.isEmpty()
          && changes.deletes.isEmpty()) {
        out.add(new PodUpdate.Add(source, List.of()));
      }
      if (!changes.reconciles.isEmpty()) {
        out.add(new PodUpdate.Reconcile(source, copies(changes.reconciles)));
      }
      // Names freed by this merge may let pods of other sources in.
      for (ConfigSource other : offered.keySet()) {
        if (other != source) {
          Changes c = apply(other, newConflicts);
          if (!c.adds.isEmpty()) {
            out.add(new PodUpdate.Add(other, copies(c.adds)));
          }
        }
      }
      for (Map.Entry<String, RejectedManifest> e : newConflicts.entrySet()) {
        RejectedManifest old = conflicts.get(e.getKey());
        if (old != null && old.reason().equals(e.getValue().reason())) {
          newConflicts.put(e.getKey(), old);
        } else {
          log.warn(
              "Pod {} from source {} ignored: {}",
              e.getValue().location(),
              e.getValue().source().annotationValue(),
              e.getValue().reason());
        }
      }
      conflicts = newConflicts;
      updates.addAll(out);
    }
  }

  private static final class Changes {
    final List<Pod> adds = new ArrayList<>();
    final List<Pod> updates = new ArrayList<>();
    final List<Pod> deletes = new ArrayList<>();
    final List<Pod> removes = new ArrayList<>();
    final List<Pod> reconciles = new ArrayList<>();
  }

  /** Re-applies {@code source}'s offered pods against its admitted ones. Holding {@link #lock}. */
  private Changes apply(ConfigSource source, Map<String, RejectedManifest> newConflicts) {
    Changes ch = new Changes();
    Map<String, Pod> old = admitted.getOrDefault(source, Map.of());
    Map<String, ConfigSource> namesElsewhere = new HashMap<>();
    admitted.forEach(
        (s, pods) -> {
          if (s != source) {
            pods.values().forEach(p -> namesElsewhere.putIfAbsent(fullName(p), s));
          }
        });
    List<Pod> candidates = new ArrayList<>();
    List<Pod> fresh = new ArrayList<>();
    for (Pod p : offered.getOrDefault(source, List.of())) {
      (old.containsKey(p.getMetadata().getUid()) ? candidates : fresh).add(p);
    }
    candidates.addAll(fresh);
    Map<String, Pod> next = new LinkedHashMap<>();
    Set<String> names = new HashSet<>();
    for (Pod offeredPod : candidates) {
      String name = fullName(offeredPod);
      String uid = offeredPod.getMetadata().getUid();
      if (next.containsKey(uid) || !names.add(name)) {
        newConflicts.put(
            source + "/" + name,
            conflict(source, name, "duplicate pod name in source " + source.annotationValue()));
        continue;
      }
      ConfigSource holder = namesElsewhere.get(name);
      if (holder != null) {
        newConflicts.put(
            source + "/" + name,
            conflict(
                source,
                name,
                "pod full name is already provided by source " + holder.annotationValue()));
        names.remove(name);
        continue;
      }
      Pod existing = old.get(uid);
      if (existing != null
          && sameSpec(existing, offeredPod)
          && Objects.equals(existing.getStatus(), offeredPod.getStatus())) {
        next.put(uid, existing); // the common case: nothing changed, nothing to copy
        continue;
      }
      Pod ref = copier.copy(offeredPod);
      annotations(ref.getMetadata()).put(CONFIG_SOURCE_ANNOTATION, source.annotationValue());
      if (existing != null) {
        next.put(uid, existing);
        switch (checkAndUpdate(existing, ref)) {
          case UPDATE -> ch.updates.add(existing);
          case DELETE -> ch.deletes.add(existing);
          case RECONCILE -> ch.reconciles.add(existing);
          case NONE -> {}
        }
      } else {
        annotations(ref.getMetadata()).put(CONFIG_SEEN_ANNOTATION, clock.instant().toString());
        next.put(uid, ref);
        ch.adds.add(ref);
      }
    }
    for (Map.Entry<String, Pod> e : old.entrySet()) {
      if (!next.containsKey(e.getKey())) {
        ch.removes.add(e.getValue());
      }
    }
    admitted.put(source, next);
    return ch;
  }

  private RejectedManifest conflict(ConfigSource source, String name, String reason) {
    return new RejectedManifest(source, name, reason, clock.instant());
  }

  private enum Change {
    NONE,
    UPDATE,
    DELETE,
    RECONCILE
  }

  /** The kubelet's {@code checkAndUpdatePod}: updates {@code existing} from {@code ref}. */
  private static Change checkAndUpdate(Pod existing, Pod ref) {
    ObjectMeta e = existing.getMetadata();
    ObjectMeta r = ref.getMetadata();
    if (sameSpec(existing, ref)) {
      if (!Objects.equals(existing.getStatus(), ref.getStatus())) {
        existing.setStatus(ref.getStatus());
        return Change.RECONCILE;
      }
      return Change.NONE;
    }
    existing.setSpec(ref.getSpec());
    e.setLabels(r.getLabels());
    e.setDeletionTimestamp(r.getDeletionTimestamp());
    e.setDeletionGracePeriodSeconds(r.getDeletionGracePeriodSeconds());
    existing.setStatus(ref.getStatus());
    Map<String, String> merged = new LinkedHashMap<>(emptyIfNull(r.getAnnotations()));
    for (String k : LOCAL_ANNOTATIONS) {
      String v = emptyIfNull(e.getAnnotations()).get(k);
      if (v != null) {
        merged.put(k, v);
      }
    }
    e.setAnnotations(merged);
    return r.getDeletionTimestamp() != null ? Change.DELETE : Change.UPDATE;
  }

  /**
   * The kubelet's {@code !podsDifferSemantically}: spec, labels, deletion, non-local annotations.
   */
  private static boolean sameSpec(Pod existing, Pod ref) {
    ObjectMeta e = existing.getMetadata();
    ObjectMeta r = ref.getMetadata();
    return Objects.equals(existing.getSpec(), ref.getSpec())
        && Objects.equals(emptyIfNull(e.getLabels()), emptyIfNull(r.getLabels()))
        && Objects.equals(e.getDeletionTimestamp(), r.getDeletionTimestamp())
        && Objects.equals(e.getDeletionGracePeriodSeconds(), r.getDeletionGracePeriodSeconds())
        && nonLocal(e.getAnnotations()).equals(nonLocal(r.getAnnotations()));
  }

  private static Map<String, String> nonLocal(Map<String, String> annotations) {
    Map<String, String> m = new HashMap<>(emptyIfNull(annotations));
    m.keySet().removeAll(LOCAL_ANNOTATIONS);
    return m;
  }

  private static <K, V> Map<K, V> emptyIfNull(Map<K, V> m) {
    return m == null ? Map.of() : m;
  }

  private static Map<String, String> annotations(ObjectMeta meta) {
    if (meta.getAnnotations() == null) {
      meta.setAnnotations(new LinkedHashMap<>());
    }
    return meta.getAnnotations();
  }

  private List<Pod> copies(List<Pod> pods) {
    return pods.stream().map(copier::copy).toList();
  }

  /** The kubelet's pod full name: {@code name_namespace}. */
  public static String fullName(Pod pod) {
    return pod.getMetadata().getName() + "_" + pod.getMetadata().getNamespace();
  }
}
