package io.berth.agent.kuberuntime;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarSource;
import io.fabric8.kubernetes.api.model.ObjectFieldSelector;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceFieldSelector;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * A container's environment as the kubelet's {@code makeEnvironmentVariables} builds it: {@code
 * envFrom} first, then {@code env} in order, each value expanded against the variables defined
 * before it (and the service variables), then service variables not already set. Values come from
 * {@code value}, {@code fieldRef}, {@code resourceFieldRef} (unset limits default to node
 * allocatable), {@code configMapKeyRef} and {@code secretKeyRef}.
 *
 * <p>Deviation: the result keeps first-definition order instead of Go's random map order.
 */
public final class EnvResolver {
  private final NodeContext node;
  private final ConfigSource configs;

  public EnvResolver(NodeContext node, ConfigSource configs) {
    this.node = node;
    this.configs = configs;
  }

  /**
   * The environment of {@code container} in {@code pod}.
   *
   * @param podIps the pod's IPs, primary first (empty for none yet)
   * @param serviceEnv the Docker-links style service variables ({@code enableServiceLinks}), may be
   *     empty
   * @throws ContainerConfigException when a required ConfigMap/Secret (key) is missing or a field
   *     path is unsupported
   */
  public Map<String, String> resolve(
      Pod pod, Container container, List<String> podIps, Map<String, String> serviceEnv) {
    String ns = pod.getMetadata().getNamespace();
    String cname = container.getName();
    Map<String, String> env = new LinkedHashMap<>();
    Function<String, String> mapping = EnvExpansion.mappingFor(env, serviceEnv);

    for (EnvFromSource from : nullSafe(container.getEnvFrom())) {
      String prefix = from.getPrefix() == null ? "" : from.getPrefix();
      Optional<Map<String, String>> data;
      if (from.getConfigMapRef() != null) {
        String name = from.getConfigMapRef().getName();
        data = configs.configMap(ns, name);
        if (data.isEmpty()) {
          if (Boolean.TRUE.equals(from.getConfigMapRef().getOptional())) {
            continue;
          }
          throw new ContainerConfigException(
              cname,
              "couldn't get configMap "
                  + ns
                  + "/"
                  + name
                  + ": configmap \""
                  + name
                  + "\" not found");
        }
      } else if (from.getSecretRef() != null) {
        String name = from.getSecretRef().getName();
        data = configs.secret(ns, name);
        if (data.isEmpty()) {
          if (Boolean.TRUE.equals(from.getSecretRef().getOptional())) {
            continue;
          }
          throw new ContainerConfigException(
              cname,
              "couldn't get secret " + ns + "/" + name + ": secret \"" + name + "\" not found");
        }
      } else {
        continue;
      }
      new TreeMap<>(data.get()).forEach((k, v) -> env.put(prefix + k, v));
    }

    Map<String, Quantity> defaultedLimits = null;
    for (EnvVar var : nullSafe(container.getEnv())) {
      String value = var.getValue() == null ? "" : var.getValue();
      EnvVarSource from = var.getValueFrom();
      if (!value.isEmpty()) {
        value = EnvExpansion.expand(value, mapping);
      } else if (from != null) {
        if (from.getFieldRef() != null) {
          value = fieldValue(pod, cname, from.getFieldRef(), podIps);
        } else if (from.getResourceFieldRef() != null) {
          value = resourceValue(pod, container, from.getResourceFieldRef());
        } else if (from.getConfigMapKeyRef() != null) {
          var ref = from.getConfigMapKeyRef();
          Optional<String> v =
              keyValue(
                  cname,
                  ns,
                  "ConfigMap",
                  "configmap",
                  ref.getName(),
                  ref.getKey(),
                  Boolean.TRUE.equals(ref.getOptional()),
                  configs.configMap(ns, ref.getName()));
          if (v.isEmpty()) {
            continue;
          }
          value = v.get();
        } else if (from.getSecretKeyRef() != null) {
          var ref = from.getSecretKeyRef();
          Optional<String> v =
              keyValue(
                  cname,
                  ns,
                  "Secret",
                  "secret",
                  ref.getName(),
                  ref.getKey(),
                  Boolean.TRUE.equals(ref.getOptional()),
                  configs.secret(ns, ref.getName()));
          if (v.isEmpty()) {
            continue;
          }
          value = v.get();
        }
      }
      env.put(var.getName(), value);
    }
    serviceEnv.forEach(env::putIfAbsent);
    return env;
  }

  private static Optional<String> keyValue(
      String cname,
      String ns,
      String kind,
      String resource,
      String name,
      String key,
      boolean optional,
      Optional<Map<String, String>> data) {
    if (data.isEmpty()) {
      if (optional) {
        return Optional.empty();
      }
      throw new ContainerConfigException(cname, resource + " \"" + name + "\" not found");
    }
    String v = data.get().get(key);
    if (v == null) {
      if (optional) {
        return Optional.empty();
      }
      throw new ContainerConfigException(
          cname, "couldn't find key " + key + " in " + kind + " " + ns + "/" + name);
    }
    return Optional.of(v);
  }

  /** {@code podFieldSelectorRuntimeValue} + {@code fieldpath.ExtractFieldPathAsString}. */
  public String fieldValue(Pod pod, String cname, ObjectFieldSelector ref, List<String> podIps) {
    String api = ref.getApiVersion();
    if (api != null && !api.isEmpty() && !api.equals("v1")) {
      throw new ContainerConfigException(
          cname, "unsupported pod version: " + api + " (field path " + ref.getFieldPath() + ")");
    }
    String path = ref.getFieldPath() == null ? "" : ref.getFieldPath();
    ObjectMeta meta = pod.getMetadata();
    switch (path) {
      case "spec.nodeName":
        return orEmpty(pod.getSpec().getNodeName());
      case "spec.serviceAccountName":
        return orEmpty(pod.getSpec().getServiceAccountName());
      case "status.hostIP":
        return node.hostIps().isEmpty() ? "" : node.hostIps().get(0);
      case "status.hostIPs":
        return String.join(",", node.hostIps());
      case "status.podIP":
        return podIps.isEmpty() ? "" : podIps.get(0);
      case "status.podIPs":
        return String.join(",", podIps);
      case "metadata.name":
        return orEmpty(meta.getName());
      case "metadata.namespace":
        return orEmpty(meta.getNamespace());
      case "metadata.uid":
        return orEmpty(meta.getUid());
      case "metadata.labels":
        return formatMap(meta.getLabels());
      case "metadata.annotations":
        return formatMap(meta.getAnnotations());
      default:
        break;
    }
    for (String prefix : List.of("metadata.labels", "metadata.annotations")) {
      if (path.startsWith(prefix + "['") && path.endsWith("']")) {
        String key = path.substring(prefix.length() + 2, path.length() - 2);
        Map<String, String> m =
            prefix.equals("metadata.labels") ? meta.getLabels() : meta.getAnnotations();
        return m == null ? "" : orEmpty(m.get(key));
      }
    }
    throw new ContainerConfigException(cname, "unsupported fieldPath: " + path);
  }

  /** {@code containerResourceRuntimeValue}: limits default to node allocatable, rounded up. */
  public String resourceValue(Pod pod, Container container, ResourceFieldSelector ref) {
    Container target = container;
    if (ref.getContainerName() != null && !ref.getContainerName().isEmpty()) {
      target =
          allContainers(pod).stream()
              .filter(c -> ref.getContainerName().equals(c.getName()))
              .findFirst()
              .orElseThrow(
                  () ->
                      new ContainerConfigException(
                          container.getName(),
                          "container " + ref.getContainerName() + " not found in pod"));
    }
    String res = ref.getResource() == null ? "" : ref.getResource();
    Map<String, Quantity> source;
    String name;
    if (res.startsWith("limits.")) {
      name = res.substring("limits.".length());
      Map<String, Quantity> limits = new HashMap<>(Quantities.limits(target));
      for (String r : List.of("cpu", "memory", "ephemeral-storage")) {
        if (!limits.containsKey(r) && node.allocatable().containsKey(r)) {
          limits.put(r, node.allocatable().get(r));
        }
      }
      source = limits;
    } else if (res.startsWith("requests.")) {
      name = res.substring("requests.".length());
      source = Quantities.requests(target);
    } else {
      throw new ContainerConfigException(
          container.getName(), "unsupported container resource : " + res);
    }
    if (!name.equals("cpu")
        && !name.equals("memory")
        && !name.equals("ephemeral-storage")
        && !name.startsWith("hugepages-")) {
      throw new ContainerConfigException(
          container.getName(), "unsupported container resource : " + res);
    }
    Quantity divisor = ref.getDivisor();
    BigDecimal div =
        divisor == null || Quantity.getAmountInBytes(divisor).signum() == 0
            ? BigDecimal.ONE
            : Quantity.getAmountInBytes(divisor);
    Quantity q = source.get(name);
    long result;
    if (name.equals("cpu")) {
      // ceil(MilliValue(cpu) / MilliValue(divisor))
      long milli = Quantities.milliValue(q);
      long divMilli =
          div.multiply(BigDecimal.valueOf(1000)).setScale(0, RoundingMode.CEILING).longValueExact();
      result = ceilDiv(milli, divMilli);
    } else {
      long v = Quantities.value(q);
      long d = div.setScale(0, RoundingMode.CEILING).longValueExact();
      result = ceilDiv(v, d);
    }
    return Long.toString(result);
  }

  private static long ceilDiv(long a, long b) {
    return BigDecimal.valueOf(a)
        .divide(BigDecimal.valueOf(b), 0, RoundingMode.CEILING)
        .longValueExact();
  }

  /** {@code fieldpath.FormatMap}: sorted {@code key="value"} lines. */
  static String formatMap(Map<String, String> m) {
    if (m == null || m.isEmpty()) {
      return "";
    }
    List<String> lines = new ArrayList<>();
    new TreeMap<>(m).forEach((k, v) -> lines.add(k + "=" + goQuote(v)));
    return String.join("\n", lines);
  }

  private static String goQuote(String v) {
    StringBuilder b = new StringBuilder("\"");
    for (char ch : v.toCharArray()) {
      switch (ch) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\t' -> b.append("\\t");
        case '\r' -> b.append("\\r");
        default -> b.append(ch);
      }
    }
    return b.append('"').toString();
  }

  static List<Container> allContainers(Pod pod) {
    List<Container> all = new ArrayList<>(nullSafe(pod.getSpec().getInitContainers()));
    all.addAll(nullSafe(pod.getSpec().getContainers()));
    return all;
  }

  private static String orEmpty(String s) {
    return s == null ? "" : s;
  }

  private static <T> List<T> nullSafe(List<T> l) {
    return l == null ? List.of() : l;
  }
}
