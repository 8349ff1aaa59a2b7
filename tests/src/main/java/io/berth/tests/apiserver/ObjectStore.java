package io.berth.tests.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * The test API server's storage: JSON trees keyed by (resource, namespace, name) with an etcd-like
 * global resourceVersion counter and a bounded change history that watches replay from and that
 * {@link #compact()} drops (then older versions answer 410 Gone).
 *
 * <p>Thread safety: every public method holds the store's monitor; watch sinks are called under it,
 * so each watch sees changes in resourceVersion order with nothing skipped between its replay and
 * its live events.
 */
public final class ObjectStore {
  private final Clock clock;
  private final ResourceStrategies strategies;
  private final NavigableMap<String, ObjectNode> objects = new TreeMap<>();
  private final ArrayDeque<Change> history = new ArrayDeque<>();
  private final List<Watch> watches = new CopyOnWriteArrayList<>();
  private final int historyLimit;
  private long resourceVersion;
  private long compactedRevision;

  ObjectStore(Clock clock, ResourceStrategies strategies, int historyLimit) {
    this.clock = clock;
    this.strategies = strategies;
    this.historyLimit = historyLimit;
  }

  /** The list's items and metadata as one page of a (possibly continued) list. */
  public record ListPage(
      List<ObjectNode> items, long resourceVersion, String continueToken, long remaining) {}

  /** A registered watch; {@link #cancel()} stops delivery. */
  public final class Watch {
    private final ApiResource resource;
    private final String namespace;
    private final Predicate<JsonNode> filter;
    private final WatchSink sink;

    private Watch(
        ApiResource resource, String namespace, Predicate<JsonNode> filter, WatchSink sink) {
      this.resource = resource;
      this.namespace = namespace;
      this.filter = filter;
      this.sink = sink;
    }

    public void cancel() {
      watches.remove(this);
    }

    /** Sends a BOOKMARK carrying the current resourceVersion. */
    public void bookmark() {
      synchronized (ObjectStore.this) {
        if (!watches.contains(this)) {
          return;
        }
        ObjectNode mark = Json.MAPPER.createObjectNode();
        mark.put("kind", resource.kind());
        mark.put("apiVersion", resource.apiVersion());
        mark.putObject("metadata").put("resourceVersion", Long.toString(resourceVersion));
        sink.event("BOOKMARK", mark);
      }
    }

    private void deliver(Change c) {
      if (!c.key().resource().equals(resource)
          || namespace != null && !namespace.equals(c.key().namespace())) {
        return;
      }
      boolean before = c.previous() != null && filter.test(c.previous());
      boolean after = !c.type().equals("DELETED") && filter.test(c.object());
      if (c.type().equals("DELETED")) {
        if (filter.test(c.object())) {
          sink.event("DELETED", c.object());
        }
      } else if (before && after) {
        sink.event("MODIFIED", c.object());
      } else if (after) {
        sink.event("ADDED", c.object());
      } else if (before) {
        sink.event("DELETED", c.object());
      }
    }
  }

  public synchronized long resourceVersion() {
    return resourceVersion;
  }

  /** Drops the whole history: watches and continues from any older version get 410 Gone. */
  public synchronized void compact() {
    history.clear();
    compactedRevision = resourceVersion;
  }

  public synchronized ObjectNode create(ApiResource r, String namespace, ObjectNode body) {
    ObjectNode obj = body.deepCopy();
    ObjectNode meta = obj.with("metadata");
    String ns = r.namespaced() ? namespace : "";
    if (r.namespaced()) {
      String bodyNs = meta.path("namespace").asText("");
      if (!bodyNs.isEmpty() && !bodyNs.equals(ns)) {
        throw ApiError.badRequest(
            "the namespace of the provided object does not match the namespace sent on the"
                + " request");
      }
      if (!objects.containsKey(new ObjectKey(ApiResources.NAMESPACES, "", ns).sortKey())) {
        throw ApiError.namespaceNotFound(ns);
      }
      meta.put("namespace", ns);
    } else {
      meta.remove("namespace");
    }
    String name = meta.path("name").asText("");
    if (name.isEmpty()) {
      String prefix = meta.path("generateName").asText("");
      if (prefix.isEmpty()) {
        throw ApiError.invalid(
            r, "", "metadata.name: Required value: name or generateName is" + " required");
      }
      do {
        name = prefix + Names.randomSuffix();
      } while (objects.containsKey(new ObjectKey(r, ns, name).sortKey()));
      meta.put("name", name);
    }
    ObjectKey key = new ObjectKey(r, ns, name);
    if (objects.containsKey(key.sortKey())) {
      throw ApiError.alreadyExists(r, name);
    }
    Names.validate(r, name);
    meta.remove(List.of("resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds"));
    meta.put("uid", UUID.randomUUID().toString());
    meta.put("creationTimestamp", Names.timestamp(clock.instant()));
    obj.put("kind", r.kind());
    obj.put("apiVersion", r.apiVersion());
    strategies.prepareForCreate(r, obj);
    return commit("ADDED", key, obj, null);
  }

  public synchronized ObjectNode get(ApiResource r, String namespace, String name) {
    ObjectNode obj = objects.get(new ObjectKey(r, r.namespaced() ? namespace : "", name).sortKey());
    if (obj == null) {
      throw ApiError.notFound(r, name);
    }
    return obj;
  }

  /**
   * A list of {@code r} in {@code namespace} (null: all namespaces). With {@code exactVersion} or a
   * continue token the page is the state at that version, rebuilt from the history (410 when
   * compacted), like etcd's consistent reads at a revision.
   */
  public synchronized ListPage list(
      ApiResource r,
      String namespace,
      Predicate<JsonNode> filter,
      long limit,
      String continueToken,
      Long exactVersion) {
    long atVersion = resourceVersion;
    String after = null;
    if (continueToken != null && !continueToken.isEmpty()) {
      String[] parts = decodeContinue(continueToken);
      atVersion = Long.parseLong(parts[0]);
      after = parts[1];
      if (atVersion < compactedRevision) {
        throw ApiError.gone(
            "The provided continue parameter is too old to display a consistent list result. You"
                + " can start a new list without the continue parameter.");
      }
    } else if (exactVersion != null) {
      if (exactVersion < compactedRevision) {
        throw ApiError.gone(
            "too old resource version: " + exactVersion + " (" + compactedRevision + ")");
      }
      atVersion = exactVersion;
    }
    String prefix =
        new ObjectKey(r, namespace == null ? "" : namespace, "").prefix()
            + (namespace == null ? "" : namespace + "/");
    NavigableMap<String, ObjectNode> state = stateAt(prefix, atVersion);
    List<ObjectNode> items = new ArrayList<>();
    long remaining = 0;
    String lastKey = null;
    for (Map.Entry<String, ObjectNode> e : state.entrySet()) {
      if (after != null && e.getKey().compareTo(after) <= 0 || !filter.test(e.getValue())) {
        continue;
      }
      if (limit > 0 && items.size() >= limit) {
        remaining++;
        continue;
      }
      items.add(e.getValue());
      lastKey = e.getKey();
    }
    String next = remaining > 0 ? encodeContinue(atVersion, lastKey) : null;
    return new ListPage(items, atVersion, next, remaining);
  }

  /**
   * Replaces an object (PUT). {@code status} selects the /status subresource. A non-empty
   * metadata.resourceVersion in the body that is not the stored one is a 409 Conflict.
   */
  public synchronized ObjectNode update(
      ApiResource r, String namespace, String name, ObjectNode body, boolean status) {
    ObjectKey key = new ObjectKey(r, r.namespaced() ? namespace : "", name);
    ObjectNode old = objects.get(key.sortKey());
    if (old == null) {
      throw ApiError.notFound(r, name);
    }
    String bodyName = body.path("metadata").path("name").asText("");
    if (!bodyName.isEmpty() && !bodyName.equals(name)) {
      throw ApiError.badRequest(
          "the name of the object ("
              + bodyName
              + ") does not match the name on the URL ("
              + name
              + ")");
    }
    String uid = body.path("metadata").path("uid").asText("");
    if (!uid.isEmpty() && !uid.equals(old.path("metadata").path("uid").asText())) {
      throw new ApiError(
          409,
          "Conflict",
          "Precondition failed: UID in precondition: "
              + uid
              + ", UID in object meta: "
              + old.path("metadata").path("uid").asText(),
          r,
          name);
    }
    String precondition = body.path("metadata").path("resourceVersion").asText("");
    if (!precondition.isEmpty()
        && !precondition.equals(old.path("metadata").path("resourceVersion").asText())) {
      throw ApiError.conflict(r, name);
    }
    ObjectNode updated;
    if (status) {
      updated = old.deepCopy();
      JsonNode newStatus = body.get("status");
      if (newStatus == null) {
        updated.remove("status");
      } else {
        updated.set("status", newStatus.deepCopy());
      }
    } else {
      updated = body.deepCopy();
      ObjectNode meta = updated.with("metadata");
      ObjectNode oldMeta = (ObjectNode) old.get("metadata");
      for (String f :
          List.of(
              "uid",
              "creationTimestamp",
              "deletionTimestamp",
              "deletionGracePeriodSeconds",
              "namespace",
              "name",
              "generateName")) {
        if (oldMeta.has(f)) {
          meta.set(f, oldMeta.get(f));
        } else {
          meta.remove(f);
        }
      }
      updated.put("kind", r.kind());
      updated.put("apiVersion", r.apiVersion());
      if (r.statusSubresource()) {
        if (old.has("status")) {
          updated.set("status", old.get("status"));
        } else {
          updated.remove("status");
        }
      }
      strategies.prepareForUpdate(r, updated, old);
    }
    updated.with("metadata").put("resourceVersion", old.path("metadata").path("resourceVersion"));
    if (updated.equals(old)) {
      return old;
    }
    ObjectNode meta = updated.with("metadata");
    if (meta.has("deletionTimestamp")
        && meta.path("deletionGracePeriodSeconds").asLong(0) == 0
        && finalizers(updated).isEmpty()) {
      return remove(key, updated);
    }
    return commit("MODIFIED", key, updated, old);
  }

  /**
   * The pods/ephemeralcontainers subresource: takes only {@code spec.ephemeralContainers} of {@code
   * body}; existing ephemeral containers may not be changed or removed (422, as the real server).
   */
  public synchronized ObjectNode updateEphemeralContainers(
      String namespace, String name, ObjectNode body) {
    ApiResource r = ApiResources.PODS;
    ObjectNode old = get(r, namespace, name);
    JsonNode before = old.path("spec").path("ephemeralContainers");
    JsonNode after = body.path("spec").path("ephemeralContainers");
    if (!after.isMissingNode() && !after.isNull() && !after.isArray()) {
      throw ApiError.invalid(r, name, "spec.ephemeralContainers: must be a list");
    }
    Map<String, JsonNode> wanted = new java.util.LinkedHashMap<>();
    for (JsonNode c : after) {
      String n = c.path("name").asText("");
      if (n.isEmpty() || c.path("image").asText("").isEmpty()) {
        throw ApiError.invalid(r, name, "spec.ephemeralContainers: name and image are required");
      }
      wanted.put(n, c);
    }
    for (JsonNode c : before) {
      JsonNode now = wanted.get(c.path("name").asText());
      if (now == null || !now.equals(c)) {
        throw ApiError.invalid(
            r,
            name,
            "spec.ephemeralContainers: Forbidden: existing ephemeral containers \""
                + c.path("name").asText()
                + "\" may not be changed");
      }
    }
    ObjectNode updated = old.deepCopy();
    ArrayNode list = updated.with("spec").putArray("ephemeralContainers");
    for (JsonNode c : wanted.values()) {
      ObjectNode container = c.deepCopy();
      PodDefaults.containerDefaults(container);
      list.add(container);
    }
    if (updated.equals(old)) {
      return old;
    }
    ObjectKey key = new ObjectKey(r, namespace, name);
    return commit("MODIFIED", key, updated, old);
  }

  /** Applies a patch of the given content type to the object or its /status. */
  public synchronized ObjectNode patch(
      ApiResource r,
      String namespace,
      String name,
      String contentType,
      JsonNode patch,
      boolean status) {
    ObjectNode current = get(r, namespace, name);
    ObjectNode patchedObject = Patches.apply(current, contentType, patch);
    String wanted = patch.path("metadata").path("resourceVersion").asText("");
    if (wanted.isEmpty()) {
      patchedObject
          .with("metadata")
          .put("resourceVersion", current.path("metadata").path("resourceVersion").asText());
    }
    return update(r, namespace, name, patchedObject, status);
  }

  /**
   * Deletes (or for pods on a node, gracefully marks) an object. Objects with finalizers are only
   * marked with a deletionTimestamp and stay until the last finalizer is removed.
   *
   * @param gracePeriodSeconds from DeleteOptions or the query; null: the resource's default
   * @param uidPrecondition from DeleteOptions.preconditions.uid, or null
   * @param rvPrecondition from DeleteOptions.preconditions.resourceVersion, or null
   */
  public synchronized ObjectNode delete(
      ApiResource r,
      String namespace,
      String name,
      Long gracePeriodSeconds,
      String uidPrecondition,
      String rvPrecondition) {
    ObjectKey key = new ObjectKey(r, r.namespaced() ? namespace : "", name);
    ObjectNode old = get(r, namespace, name);
    if (uidPrecondition != null
            && !uidPrecondition.equals(old.path("metadata").path("uid").asText())
        || rvPrecondition != null
            && !rvPrecondition.equals(old.path("metadata").path("resourceVersion").asText())) {
      throw new ApiError(
          409,
          "Conflict",
          "Precondition failed: UID or resourceVersion in"
              + " precondition does not match the object "
              + name,
          r,
          name);
    }
    long grace = strategies.gracePeriod(r, old, gracePeriodSeconds);
    ObjectNode meta = (ObjectNode) old.get("metadata");
    if (meta.has("deletionTimestamp") && meta.has("deletionGracePeriodSeconds")) {
      grace = Math.min(grace, meta.get("deletionGracePeriodSeconds").asLong());
    }
    if (grace > 0 || !finalizers(old).isEmpty()) {
      ObjectNode marked = old.deepCopy();
      ObjectNode m = marked.with("metadata");
      long current = m.path("deletionGracePeriodSeconds").asLong(Long.MAX_VALUE);
      if (!m.has("deletionTimestamp") || grace < current) {
        m.put("deletionTimestamp", Names.timestamp(clock.instant().plusSeconds(grace)));
        m.put("deletionGracePeriodSeconds", grace);
      }
      if (grace == 0 && finalizers(old).isEmpty()) {
        return remove(key, marked);
      }
      if (marked.equals(old)) {
        return old;
      }
      return commit("MODIFIED", key, marked, old);
    }
    if (r.equals(ApiResources.NAMESPACES)) {
      for (String k : new ArrayList<>(objects.keySet())) {
        ObjectNode o = objects.get(k);
        if (o.path("metadata").path("namespace").asText("").equals(name)) {
          ApiResource or = ApiResources.find(group(o), version(o), resourceOf(k)).orElseThrow();
          remove(new ObjectKey(or, name, o.path("metadata").path("name").asText()), o);
        }
      }
    }
    return remove(key, old);
  }

  /** Registers a watch: first the replay (from the history, or synthetic ADDED), then live. */
  public synchronized Watch watch(
      ApiResource r,
      String namespace,
      Predicate<JsonNode> filter,
      String fromVersion,
      WatchSink sink) {
    Watch w = new Watch(r, namespace, filter, sink);
    if (fromVersion == null || fromVersion.isEmpty() || fromVersion.equals("0")) {
      String prefix =
          new ObjectKey(r, namespace == null ? "" : namespace, "").prefix()
              + (namespace == null ? "" : namespace + "/");
      for (ObjectNode o : objects.subMap(prefix, prefix + Character.MAX_VALUE).values()) {
        if (filter.test(o)) {
          sink.event("ADDED", o);
        }
      }
    } else {
      long from;
      try {
        from = Long.parseLong(fromVersion);
      } catch (NumberFormatException e) {
        throw ApiError.badRequest("invalid resource version: " + fromVersion);
      }
      if (from < compactedRevision) {
        ApiError gone =
            ApiError.gone("too old resource version: " + from + " (" + compactedRevision + ")");
        sink.event("ERROR", gone.toStatus());
        return null;
      }
      for (Change c : history) {
        if (c.resourceVersion() > from) {
          w.deliver(c);
        }
      }
    }
    watches.add(w);
    return w;
  }

  /** Deletes; {@code last} is copied because stored versions are shared with the history. */
  private ObjectNode remove(ObjectKey key, ObjectNode last) {
    ObjectNode previous = objects.get(key.sortKey());
    strategies.afterDelete(key.resource(), previous);
    return commit("DELETED", key, last.deepCopy(), previous);
  }

  private ObjectNode commit(String type, ObjectKey key, ObjectNode obj, ObjectNode previous) {
    resourceVersion++;
    obj.with("metadata").put("resourceVersion", Long.toString(resourceVersion));
    if (type.equals("DELETED")) {
      objects.remove(key.sortKey());
    } else {
      objects.put(key.sortKey(), obj);
    }
    Change change = new Change(resourceVersion, type, key, obj, previous);
    history.addLast(change);
    while (history.size() > historyLimit) {
      compactedRevision = history.removeFirst().resourceVersion();
    }
    for (Watch w : watches) {
      w.deliver(change);
    }
    return obj;
  }

  private NavigableMap<String, ObjectNode> stateAt(String prefix, long version) {
    NavigableMap<String, ObjectNode> state =
        new TreeMap<>(objects.subMap(prefix, prefix + Character.MAX_VALUE));
    for (Iterator<Change> it = history.descendingIterator(); it.hasNext(); ) {
      Change c = it.next();
      if (c.resourceVersion() <= version) {
        break;
      }
      String k = c.key().sortKey();
      if (!k.startsWith(prefix)) {
        continue;
      }
      if (c.previous() == null) {
        state.remove(k);
      } else {
        state.put(k, c.previous());
      }
    }
    return state;
  }

  private static List<JsonNode> finalizers(ObjectNode o) {
    List<JsonNode> out = new ArrayList<>();
    o.path("metadata").path("finalizers").forEach(out::add);
    return out;
  }

  private static String group(ObjectNode o) {
    String av = o.path("apiVersion").asText();
    return av.contains("/") ? av.substring(0, av.indexOf('/')) : "";
  }

  private static String version(ObjectNode o) {
    String av = o.path("apiVersion").asText();
    return av.contains("/") ? av.substring(av.indexOf('/') + 1) : av;
  }

  private static String resourceOf(String sortKey) {
    String[] parts = sortKey.split("/");
    return parts[parts.length - 3];
  }

  private static String encodeContinue(long version, String lastKey) {
    return Base64.getUrlEncoder().encodeToString((version + "|" + lastKey).getBytes());
  }

  private static String[] decodeContinue(String token) {
    try {
      String s = new String(Base64.getUrlDecoder().decode(token));
      String[] parts = s.split("\\|", 2);
      Long.parseLong(parts[0]);
      return parts;
    } catch (RuntimeException e) {
      throw ApiError.badRequest("continue key is not valid: " + token);
    }
  }
}
