package io.berth.agent.status;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Map;

/**
 * The JSON merge patch (RFC 7386) that turns one status into another: changed fields only, objects
 * recursively, lists and values whole, removed fields as {@code null}. An empty patch means nothing
 * changed. Fields missing from {@code to} are removed only with {@code removeMissing}: berth
 * removes what it sent before, never fields others wrote (a scheduler's nominatedNodeName). (The
 * kubelet sends a strategic merge patch with {@code $setElementOrder}, which lets it send single
 * list elements; with a merge patch a changed list is sent whole.)
 */
final class StatusPatch {
  private StatusPatch() {}

  static ObjectNode diff(JsonNode from, JsonNode to, boolean removeMissing) {
    ObjectNode patch = JsonNodeFactory.instance.objectNode();
    if (from == null || !from.isObject()) {
      from = JsonNodeFactory.instance.objectNode();
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = to.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode old = from.get(e.getKey());
      JsonNode now = e.getValue();
      if (now.isNull()) {
        if (old != null && !old.isNull()) {
          patch.putNull(e.getKey());
        }
      } else if (old == null || !old.equals(now)) {
        if (now.isObject() && old != null && old.isObject()) {
          ObjectNode inner = diff(old, now, removeMissing);
          if (!inner.isEmpty()) {
            patch.set(e.getKey(), inner);
          }
        } else {
          patch.set(e.getKey(), now);
        }
      }
    }
    for (Iterator<String> it = from.fieldNames(); removeMissing && it.hasNext(); ) {
      String name = it.next();
      if (!to.has(name) && !from.get(name).isNull()) {
        patch.putNull(name);
      }
    }
    return patch;
  }
}
