package io.berth.agent.events;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * A core/v1 Event as berth writes it (client-go's legacy recorder: {@code firstTimestamp}, {@code
 * lastTimestamp}, {@code count}, no {@code eventTime} or series).
 *
 * @param name {@code <object name>.<hex of unix nanos>}, as client-go names events
 * @param resourceVersion the API's, once written; empty before
 */
public record CoreEvent(
    String name,
    String namespace,
    ObjectReference involvedObject,
    EventType type,
    String reason,
    String message,
    String sourceHost,
    Instant firstTimestamp,
    Instant lastTimestamp,
    int count,
    String resourceVersion) {

  /** A new event about {@code ref} at {@code now} (count 1), in the object's namespace. */
  public static CoreEvent of(
      ObjectReference ref,
      EventType type,
      String reason,
      String message,
      String node,
      Instant now) {
    return new CoreEvent(
        name(ref, now),
        ref.namespace().isEmpty() ? "default" : ref.namespace(),
        ref,
        type,
        reason,
        message,
        node,
        now,
        now,
        1,
        "");
  }

  static String name(ObjectReference ref, Instant t) {
    long nanos = t.getEpochSecond() * 1_000_000_000L + t.getNano();
    return ref.name() + "." + Long.toHexString(nanos);
  }

  CoreEvent withMessage(String m) {
    return new CoreEvent(
        name,
        namespace,
        involvedObject,
        type,
        reason,
        m,
        sourceHost,
        firstTimestamp,
        lastTimestamp,
        count,
        resourceVersion);
  }

  /** This event seen again: the earlier one's name, first time, version, and one more count. */
  CoreEvent seenAgain(String earlierName, Instant first, int earlierCount, String version) {
    return new CoreEvent(
        earlierName,
        namespace,
        involvedObject,
        type,
        reason,
        message,
        sourceHost,
        first,
        lastTimestamp,
        earlierCount + 1,
        version);
  }

  /** The body of a create. */
  public ObjectNode toJson(ObjectMapper json) {
    ObjectNode o = json.createObjectNode();
    o.put("apiVersion", "v1");
    o.put("kind", "Event");
    ObjectNode meta = o.putObject("metadata");
    meta.put("name", name);
    meta.put("namespace", namespace);
    ObjectNode ref = o.putObject("involvedObject");
    ref.put("kind", involvedObject.kind());
    putIfSet(ref, "namespace", involvedObject.namespace());
    ref.put("name", involvedObject.name());
    putIfSet(ref, "uid", involvedObject.uid());
    putIfSet(ref, "apiVersion", involvedObject.apiVersion());
    putIfSet(ref, "resourceVersion", involvedObject.resourceVersion());
    putIfSet(ref, "fieldPath", involvedObject.fieldPath());
    o.put("reason", reason);
    o.put("message", message);
    ObjectNode source = o.putObject("source");
    source.put("component", KubeletEvents.COMPONENT);
    source.put("host", sourceHost);
    o.put("firstTimestamp", time(firstTimestamp));
    o.put("lastTimestamp", time(lastTimestamp));
    o.put("count", count);
    o.put("type", type.wire());
    o.putNull("eventTime");
    o.put("reportingComponent", KubeletEvents.COMPONENT);
    o.put("reportingInstance", sourceHost);
    return o;
  }

  /** The body of the patch that records this event again: count, lastTimestamp and message. */
  public ObjectNode patchJson(ObjectMapper json) {
    ObjectNode o = json.createObjectNode();
    o.put("count", count);
    o.put("lastTimestamp", time(lastTimestamp));
    o.put("message", message);
    return o;
  }

  /** metav1.Time: RFC 3339 in whole seconds. */
  static String time(Instant t) {
    return t.truncatedTo(ChronoUnit.SECONDS).toString();
  }

  private static void putIfSet(ObjectNode o, String field, String value) {
    if (!value.isEmpty()) {
      o.put(field, value);
    }
  }
}
