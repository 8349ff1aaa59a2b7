package io.berth.agent.kubeapi;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An informer's view of the server (namespace/name → object) and the events that keep a handler in
 * step with it: a watch event becomes at most one event (a version already held is dropped, so
 * replays after a re-watch are never duplicated); a re-list becomes only the real differences (new,
 * changed resourceVersion, gone). Reads are thread-safe; changes come from one loop.
 */
final class InformerCache<T extends HasMetadata> {
  private final Map<String, T> objects = new ConcurrentHashMap<>();

  static String key(HasMetadata o) {
    String ns = o.getMetadata().getNamespace();
    return ns == null || ns.isEmpty()
        ? o.getMetadata().getName()
        : ns + "/" + o.getMetadata().getName();
  }

  Optional<T> get(String key) {
    return Optional.ofNullable(objects.get(key));
  }

  List<T> list() {
    return new ArrayList<>(objects.values());
  }

  /**
   * A watch event (ADDED, MODIFIED, DELETED) as the events to emit: none for a version already
   * held, Deleted + Added when the name now belongs to a new object (another uid).
   */
  List<InformerEvent<T>> apply(String type, T object) {
    String key = key(object);
    T old = objects.get(key);
    if (type.equals("DELETED")) {
      if (old == null) {
        return List.of();
      }
      objects.remove(key);
      return List.of(new InformerEvent.Deleted<>(object));
    }
    if (old != null && sameVersion(old, object)) {
      return List.of();
    }
    objects.put(key, object);
    if (old == null) {
      return List.of(new InformerEvent.Added<>(object));
    }
    if (!sameUid(old, object)) {
      return List.of(new InformerEvent.Deleted<>(old), new InformerEvent.Added<>(object));
    }
    return List.of(new InformerEvent.Updated<>(old, object));
  }

  /** A full list: replaces the view and returns the differences (adds, updates, then deletes). */
  List<InformerEvent<T>> replace(List<T> items) {
    Map<String, T> listed = new LinkedHashMap<>();
    items.forEach(o -> listed.put(key(o), o));
    List<InformerEvent<T>> events = new ArrayList<>();
    for (Map.Entry<String, T> e : listed.entrySet()) {
      T old = objects.get(e.getKey());
      if (old == null) {
        events.add(new InformerEvent.Added<>(e.getValue()));
      } else if (!sameUid(old, e.getValue())) {
        events.add(new InformerEvent.Deleted<>(old));
        events.add(new InformerEvent.Added<>(e.getValue()));
      } else if (!sameVersion(old, e.getValue())) {
        events.add(new InformerEvent.Updated<>(old, e.getValue()));
      }
      objects.put(e.getKey(), e.getValue());
    }
    for (Map.Entry<String, T> e : new HashMap<>(objects).entrySet()) {
      if (!listed.containsKey(e.getKey())) {
        objects.remove(e.getKey());
        events.add(new InformerEvent.Deleted<>(e.getValue()));
      }
    }
    return events;
  }

  /** One Updated(o, o) per object, for the handler's periodic resync. */
  List<InformerEvent<T>> resync() {
    List<InformerEvent<T>> events = new ArrayList<>();
    objects.values().forEach(o -> events.add(new InformerEvent.Updated<>(o, o)));
    return events;
  }

  private static boolean sameVersion(HasMetadata a, HasMetadata b) {
    String ra = a.getMetadata().getResourceVersion();
    return ra != null && ra.equals(b.getMetadata().getResourceVersion()) && sameUid(a, b);
  }

  private static boolean sameUid(HasMetadata a, HasMetadata b) {
    return java.util.Objects.equals(a.getMetadata().getUid(), b.getMetadata().getUid());
  }
}
