package io.berth.tests.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The three patch formats the API server accepts on JSON trees: JSON merge patch (RFC 7386), JSON
 * patch (RFC 6902) and strategic merge patch for the common cases (maps merge, known lists merge by
 * their merge key, {@code $patch: delete|replace}, {@code $setElementOrder} and {@code $retainKeys}
 * directives accepted).
 */
final class Patches {
  /** List field name → merge key, from the Kubernetes API types' patchMergeKey tags. */
  private static final Map<String, String> MERGE_KEYS =
      Map.ofEntries(
          Map.entry("containers", "name"),
          Map.entry("initContainers", "name"),
          Map.entry("ephemeralContainers", "name"),
          Map.entry("volumes", "name"),
          Map.entry("volumeMounts", "mountPath"),
          Map.entry("volumeDevices", "devicePath"),
          Map.entry("env", "name"),
          Map.entry("imagePullSecrets", "name"),
          Map.entry("hostAliases", "ip"),
          Map.entry("conditions", "type"),
          Map.entry("ownerReferences", "uid"),
          Map.entry("taints", "key"),
          Map.entry("addresses", "type"),
          Map.entry("containerStatuses", "name"),
          Map.entry("initContainerStatuses", "name"),
          Map.entry("podIPs", "ip"),
          Map.entry("resourceClaims", "name"),
          Map.entry("topologySpreadConstraints", "topologyKey"));

  /** Lists of primitives that merge (set union) instead of being replaced. */
  private static final List<String> MERGED_PRIMITIVE_LISTS = List.of("finalizers");

  private Patches() {}

  /** {@code patch} of the given content type applied to {@code current}; 400 unless an object. */
  static ObjectNode apply(ObjectNode current, String contentType, JsonNode patch) {
    JsonNode patched =
        switch (contentType) {
          case "application/merge-patch+json" -> mergePatch(current, patch);
          case "application/json-patch+json" -> jsonPatch(current, patch);
          case "application/strategic-merge-patch+json" -> strategicMergePatch(current, patch);
          default -> throw ApiError.unsupportedMediaType(contentType);
        };
    if (!(patched instanceof ObjectNode patchedObject)) {
      throw ApiError.badRequest("the patch did not produce an object");
    }
    return patchedObject;
  }

  static JsonNode mergePatch(JsonNode target, JsonNode patch) {
    if (!patch.isObject()) {
      return patch.deepCopy();
    }
    ObjectNode result = copyOrEmpty(target, patch);
    for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getValue().isNull()) {
        result.remove(e.getKey());
      } else {
        result.set(e.getKey(), mergePatch(result.get(e.getKey()), e.getValue()));
      }
    }
    return result;
  }

  static JsonNode jsonPatch(JsonNode target, JsonNode patch) {
    if (!patch.isArray()) {
      throw ApiError.badRequest("json patch must be an array of operations");
    }
    JsonNode doc = target.deepCopy();
    for (JsonNode op : patch) {
      String kind = op.path("op").asText();
      String path = op.path("path").asText();
      doc =
          switch (kind) {
            case "add" -> add(doc, path, op.get("value"));
            case "remove" -> remove(doc, path);
            case "replace" -> add(remove(doc, path), path, op.get("value"));
            case "move" -> {
              JsonNode value = get(doc, op.path("from").asText());
              yield add(remove(doc, op.path("from").asText()), path, value);
            }
            case "copy" -> add(doc, path, get(doc, op.path("from").asText()).deepCopy());
            case "test" -> {
              if (!get(doc, path).equals(op.get("value"))) {
                throw new ApiError(
                    422,
                    "Invalid",
                    "the server rejected our request due to an error in our"
                        + " request: testing value "
                        + path
                        + " failed",
                    null,
                    null);
              }
              yield doc;
            }
            default -> throw ApiError.badRequest("unknown json patch operation: " + kind);
          };
    }
    return doc;
  }

  static JsonNode strategicMergePatch(JsonNode target, JsonNode patch) {
    return smp(target, patch, null);
  }

  private static JsonNode smp(JsonNode target, JsonNode patch, String field) {
    if (!patch.isObject()) {
      return patch.deepCopy();
    }
    if ("replace".equals(patch.path("$patch").asText())) {
      ObjectNode copy = ((ObjectNode) patch).deepCopy();
      copy.remove("$patch");
      return copy;
    }
    ObjectNode result = copyOrEmpty(target, patch);
    for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String key = e.getKey();
      JsonNode value = e.getValue();
      if (key.startsWith("$setElementOrder/") || key.equals("$retainKeys")) {
        continue;
      }
      if (key.startsWith("$deleteFromPrimitiveList/")) {
        String list = key.substring("$deleteFromPrimitiveList/".length());
        if (result.get(list) instanceof ArrayNode existing) {
          ArrayNode kept = existing.arrayNode();
          existing.forEach(
              v -> {
                if (!contains(value, v)) {
                  kept.add(v);
                }
              });
          result.set(list, kept);
        }
        continue;
      }
      if (value.isNull()) {
        result.remove(key);
      } else if (value.isArray() && MERGE_KEYS.containsKey(key)) {
        result.set(key, mergeList(result.get(key), (ArrayNode) value, MERGE_KEYS.get(key)));
      } else if (value.isArray() && MERGED_PRIMITIVE_LISTS.contains(key)) {
        ArrayNode merged =
            result.get(key) instanceof ArrayNode a
                ? a.deepCopy()
                : ((ObjectNode) patch).arrayNode();
        value.forEach(
            v -> {
              if (!contains(merged, v)) {
                merged.add(v);
              }
            });
        result.set(key, merged);
      } else if (value.isObject() && "delete".equals(value.path("$patch").asText())) {
        result.remove(key);
      } else {
        result.set(key, smp(result.get(key), value, key));
      }
    }
    return result;
  }

  /** A copy of the target object to patch, or an empty object when it is not one. */
  private static ObjectNode copyOrEmpty(JsonNode target, JsonNode patch) {
    return target != null && target.isObject()
        ? ((ObjectNode) target).deepCopy()
        : ((ObjectNode) patch).objectNode();
  }

  private static JsonNode mergeList(JsonNode existing, ArrayNode patch, String mergeKey) {
    List<JsonNode> out = new ArrayList<>();
    if (existing instanceof ArrayNode a) {
      a.forEach(out::add);
    }
    for (JsonNode item : patch) {
      String keyValue = item.path(mergeKey).asText(null);
      int at = -1;
      for (int i = 0; i < out.size() && keyValue != null; i++) {
        if (keyValue.equals(out.get(i).path(mergeKey).asText(null))) {
          at = i;
        }
      }
      boolean delete = "delete".equals(item.path("$patch").asText());
      if (delete) {
        if (at >= 0) {
          out.remove(at);
        }
      } else if (at >= 0) {
        out.set(at, smp(out.get(at), item, null));
      } else {
        out.add(smp(null, item, null));
      }
    }
    ArrayNode result = patch.arrayNode();
    out.forEach(result::add);
    return result;
  }

  private static boolean contains(JsonNode array, JsonNode value) {
    for (JsonNode v : array) {
      if (v.equals(value)) {
        return true;
      }
    }
    return false;
  }

  private static List<String> tokens(String pointer) {
    if (pointer.isEmpty()) {
      return List.of();
    }
    if (!pointer.startsWith("/")) {
      throw ApiError.badRequest("json patch path must start with /: " + pointer);
    }
    List<String> out = new ArrayList<>();
    for (String t : pointer.substring(1).split("/", -1)) {
      out.add(t.replace("~1", "/").replace("~0", "~"));
    }
    return out;
  }

  private static JsonNode get(JsonNode doc, String pointer) {
    JsonNode node = doc;
    for (String t : tokens(pointer)) {
      node = node.isArray() ? node.path(Integer.parseInt(t)) : node.path(t);
    }
    if (node.isMissingNode()) {
      throw missing(pointer);
    }
    return node;
  }

  private static ApiError missing(String pointer) {
    return new ApiError(
        422,
        "Invalid",
        "the server rejected our request due to an error in our request: "
            + "json patch path does not exist: "
            + pointer,
        null,
        null);
  }

  private static JsonNode add(JsonNode doc, String pointer, JsonNode value) {
    List<String> t = tokens(pointer);
    if (t.isEmpty()) {
      return value.deepCopy();
    }
    JsonNode parent = get(doc, parentPointer(t));
    String last = t.get(t.size() - 1);
    if (parent instanceof ObjectNode o) {
      o.set(last, value.deepCopy());
    } else if (parent instanceof ArrayNode a) {
      if (last.equals("-")) {
        a.add(value.deepCopy());
      } else {
        int i = Integer.parseInt(last);
        if (i > a.size()) {
          throw missing(pointer);
        }
        a.insert(i, value.deepCopy());
      }
    } else {
      throw missing(pointer);
    }
    return doc;
  }

  private static JsonNode remove(JsonNode doc, String pointer) {
    List<String> t = tokens(pointer);
    get(doc, pointer);
    JsonNode parent = get(doc, parentPointer(t));
    String last = t.get(t.size() - 1);
    if (parent instanceof ObjectNode o) {
      o.remove(last);
    } else if (parent instanceof ArrayNode a) {
      a.remove(Integer.parseInt(last));
    }
    return doc;
  }

  private static String parentPointer(List<String> tokens) {
    List<String> parent = escape(tokens.subList(0, tokens.size() - 1));
    return parent.isEmpty() ? "" : "/" + String.join("/", parent);
  }

  private static List<String> escape(List<String> tokens) {
    return tokens.stream().map(s -> s.replace("~", "~0").replace("/", "~1")).toList();
  }
}
