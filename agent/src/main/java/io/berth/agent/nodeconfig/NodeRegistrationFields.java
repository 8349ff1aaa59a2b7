package io.berth.agent.nodeconfig;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.agent.node.NodeRegistration;
import io.berth.metrics.node.EvictionThreshold;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Taint;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The KubeletConfiguration fields of {@link NodeRegistration}: {@code registerWithTaints}, {@code
 * kubeReserved}, {@code systemReserved}, {@code evictionHard}, and berth's {@code nodeLabels} (the
 * kubelet's {@code --node-labels} flag, which has no config field). Invalid values are errors with
 * their field path, as the kubelet's validation.
 */
final class NodeRegistrationFields {
  private static final Set<String> EFFECTS = Set.of("NoSchedule", "PreferNoSchedule", "NoExecute");
  private static final Set<String> RESERVABLE = Set.of("cpu", "memory", "ephemeral-storage");
  private static final Pattern QUALIFIED_NAME =
      Pattern.compile(
          "([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
              + "[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?");
  private static final Pattern LABEL_VALUE =
      Pattern.compile("(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?");

  private NodeRegistrationFields() {}

  static NodeRegistration read(FieldReader r) {
    NodeRegistration d = NodeRegistration.defaults();
    List<Taint> taints = taints(r);
    Map<String, String> labels = labels(r);
    Map<String, Quantity> kube = reserved(r, "kubeReserved");
    Map<String, Quantity> system = reserved(r, "systemReserved");
    List<EvictionThreshold> eviction = r.has("evictionHard") ? evictionHard(r) : d.evictionHard();
    return new NodeRegistration(taints, labels, kube, system, eviction);
  }

  private static List<Taint> taints(FieldReader r) {
    JsonNode v = r.raw("registerWithTaints");
    List<Taint> out = new ArrayList<>();
    if (v == null) {
      return out;
    }
    if (!v.isArray()) {
      r.error("registerWithTaints", "must be a list of taints");
      return out;
    }
    for (int i = 0; i < v.size(); i++) {
      JsonNode t = v.get(i);
      String where = "registerWithTaints[" + i + "]";
      String key = t.path("key").asText("");
      String effect = t.path("effect").asText("");
      String value = t.path("value").asText("");
      if (!QUALIFIED_NAME.matcher(key).matches() || key.length() > 316) {
        r.error(
            where + ".key",
            "must be a qualified name (e.g. example.com/dedicated), got '" + key + "'");
      } else if (!EFFECTS.contains(effect)) {
        r.error(
            where + ".effect",
            "must be NoSchedule, PreferNoSchedule or NoExecute, got '" + effect + "'");
      } else if (!LABEL_VALUE.matcher(value).matches()) {
        r.error(where + ".value", "must be a valid label value, got '" + value + "'");
      } else {
        Taint taint = new Taint();
        taint.setKey(key);
        taint.setValue(value.isEmpty() ? null : value);
        taint.setEffect(effect);
        out.add(taint);
      }
    }
    return out;
  }

  private static Map<String, String> labels(FieldReader r) {
    Map<String, String> out = new LinkedHashMap<>();
    strings(r, "nodeLabels")
        .forEach(
            (k, v) -> {
              if (!QUALIFIED_NAME.matcher(k).matches()) {
                r.error("nodeLabels." + k, "not a valid label key");
              } else if (!LABEL_VALUE.matcher(v).matches()) {
                r.error("nodeLabels." + k, "'" + v + "' is not a valid label value");
              } else {
                out.put(k, v);
              }
            });
    return out;
  }

  private static Map<String, Quantity> reserved(FieldReader r, String field) {
    Map<String, Quantity> out = new LinkedHashMap<>();
    strings(r, field)
        .forEach(
            (k, v) -> {
              if (!RESERVABLE.contains(k)) {
                r.error(field + "." + k, "berth reserves only cpu, memory and ephemeral-storage");
                return;
              }
              try {
                Quantity q = new Quantity(v);
                if (Quantity.getAmountInBytes(q).signum() < 0) {
                  throw new IllegalArgumentException("negative");
                }
                out.put(k, q);
              } catch (RuntimeException e) {
                r.error(field + "." + k, "'" + v + "' is not a quantity such as 500m or 1Gi");
              }
            });
    return out;
  }

  private static List<EvictionThreshold> evictionHard(FieldReader r) {
    List<EvictionThreshold> out = new ArrayList<>();
    strings(r, "evictionHard")
        .forEach(
            (k, v) -> {
              EvictionThreshold.Signal signal = null;
              for (EvictionThreshold.Signal s : EvictionThreshold.Signal.values()) {
                if (s.kubeName().equals(k)) {
                  signal = s;
                }
              }
              if (signal == null) {
                r.error("evictionHard." + k, "unknown eviction signal");
                return;
              }
              try {
                out.add(new EvictionThreshold(signal, thresholdValue(v)));
              } catch (IllegalArgumentException e) {
                r.error("evictionHard." + k, e.getMessage());
              }
            });
    return out;
  }

  private static EvictionThreshold.Value thresholdValue(String v) {
    if (v.endsWith("%")) {
      double p;
      try {
        p = Double.parseDouble(v.substring(0, v.length() - 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("'" + v + "' is not a percentage");
      }
      if (p < 0 || p > 100) {
        throw new IllegalArgumentException("'" + v + "' is not within 0% and 100%");
      }
      return new EvictionThreshold.Percentage(p);
    }
    try {
      long amount = Quantity.getAmountInBytes(new Quantity(v)).longValue();
      if (amount < 0) {
        throw new IllegalArgumentException("'" + v + "' is negative");
      }
      return new EvictionThreshold.Quantity(amount);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("'" + v + "' is not a quantity or a percentage");
    }
  }

  /** A mapping of strings (numbers are read as their text); errors for anything else. */
  private static Map<String, String> strings(FieldReader r, String field) {
    Map<String, String> out = new LinkedHashMap<>();
    JsonNode v = r.raw(field);
    if (v == null) {
      return out;
    }
    if (!v.isObject()) {
      r.error(field, "must be a mapping of strings");
      return out;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
      var e = it.next();
      if (!e.getValue().isValueNode() || e.getValue().isNull()) {
        r.error(field + "." + e.getKey(), "must be a string");
      } else {
        out.put(e.getKey(), e.getValue().asText());
      }
    }
    return out;
  }
}
