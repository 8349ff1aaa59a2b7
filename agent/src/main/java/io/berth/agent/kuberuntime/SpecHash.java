package io.berth.agent.kuberuntime;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Container;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The container spec hash (the kubelet's {@code HashContainer} purpose): SHA-256 over a canonical
 * JSON of the whole container — object keys sorted, nulls and empty arrays/objects dropped —
 * shortened to 16 hex digits. It is stored in the {@code io.kubernetes.container.hash} annotation;
 * a running container whose hash differs from the desired spec's is recreated.
 *
 * <p>Stable across berth restarts and JVMs (no {@code hashCode}, no map order). Any change to the
 * container spec changes it, as the kubelet before 1.31 did; the kubelet 1.31+ hashes only name and
 * image because the API server forbids other changes, which static pods from files do not. Hash the
 * defaulted container ({@link PodDefaults#apply}) so defaulting never looks like a change.
 */
public final class SpecHash {
  private final ObjectMapper mapper;

  public SpecHash(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  /**
   * With a plain mapper. berth's agent passes one whose buffers come from a shared pool (hashes run
   * on the pods' long-lived worker threads; see NodeAgent).
   */
  public SpecHash() {
    this(new ObjectMapper());
  }

  /** The 16-hex-digit hash of {@code container}. */
  public String of(Container container) {
    String json = canonicalJson(container);
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(json.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /** The canonical JSON the hash is computed over. */
  public String canonicalJson(Container container) {
    JsonNode tree = canonical(mapper.valueToTree(container));
    try {
      return mapper.writeValueAsString(tree == null ? JsonNodeFactory.instance.objectNode() : tree);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(
          "cannot serialise container " + container.getName() + " for hashing", e);
    }
  }

  /** Sorted keys, no nulls, no empty arrays/objects; {@code null} when nothing is left. */
  private static JsonNode canonical(JsonNode node) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return null;
    }
    if (node.isObject()) {
      List<String> names = new ArrayList<>();
      node.fieldNames().forEachRemaining(names::add);
      names.sort(null);
      ObjectNode out = JsonNodeFactory.instance.objectNode();
      for (String name : names) {
        JsonNode v = canonical(node.get(name));
        if (v != null) {
          out.set(name, v);
        }
      }
      return out.isEmpty() ? null : out;
    }
    if (node.isArray()) {
      ArrayNode out = JsonNodeFactory.instance.arrayNode();
      for (JsonNode el : node) {
        JsonNode v = canonical(el);
        out.add(v == null ? JsonNodeFactory.instance.nullNode() : v);
      }
      return out.isEmpty() ? null : out;
    }
    return node;
  }

  /** Reads the hash back from a container's annotations (empty when absent). */
  public static String fromAnnotations(Map<String, String> annotations) {
    String h = annotations == null ? null : annotations.get(RuntimeLabels.CONTAINER_HASH);
    return h == null ? "" : h;
  }
}
