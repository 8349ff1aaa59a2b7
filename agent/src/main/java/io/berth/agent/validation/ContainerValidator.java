package io.berth.agent.validation;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.SeccompProfile;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Container rules of {@code ValidatePodCreate}: names unique across init, sidecar and app
 * containers, image, ports, env, volume mounts, resources, probes and the container restart policy.
 * Messages and paths are the API server's. Stateless and thread safe.
 */
final class ContainerValidator {
  static final List<String> PROTOCOLS = List.of("SCTP", "TCP", "UDP");
  static final List<String> SECCOMP_TYPES = List.of("Localhost", "RuntimeDefault", "Unconfined");
  static final List<String> PROC_MOUNTS = List.of("Default", "Unmasked");
  private static final String GE_ZERO = "must be greater than or equal to 0";
  private static final Pattern QUANTITY =
      Pattern.compile(
          "[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?[0-9]+)?");
  static final String QUANTITY_MSG =
      "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

  void validateAll(PodSpec spec, Set<String> volumes, FieldPath specPath, List<FieldError> errs) {
    Set<String> names = new HashSet<>();
    Set<String> hostPorts = new HashSet<>();
    boolean hostNetwork = Boolean.TRUE.equals(spec.getHostNetwork());
    List<Container> init = Lists.nonNull(spec.getInitContainers());
    for (int i = 0; i < init.size(); i++) {
      FieldPath path = specPath.child("initContainers").index(i);
      validate(init.get(i), true, path, names, hostPorts, hostNetwork, volumes, errs);
    }
    List<Container> app = Lists.nonNull(spec.getContainers());
    if (app.isEmpty()) {
      errs.add(FieldError.required(specPath.child("containers"), ""));
    }
    for (int i = 0; i < app.size(); i++) {
      FieldPath path = specPath.child("containers").index(i);
      validate(app.get(i), false, path, names, hostPorts, hostNetwork, volumes, errs);
    }
  }

  private void validate(
      Container c,
      boolean isInit,
      FieldPath path,
      Set<String> names,
      Set<String> hostPorts,
      boolean hostNetwork,
      Set<String> volumes,
      List<FieldError> errs) {
    if (c == null) {
      errs.add(FieldError.required(path.child("name"), ""));
      return;
    }
    String name = c.getName();
    if (name == null || name.isEmpty()) {
      errs.add(FieldError.required(path.child("name"), ""));
    } else {
      for (String msg : NameRules.dns1123Label(name)) {
        errs.add(FieldError.invalid(path.child("name"), name, msg));
      }
      if (!names.add(name)) {
        errs.add(FieldError.duplicate(path.child("name"), name));
      }
    }
    if (c.getImage() == null || c.getImage().isBlank()) {
      errs.add(FieldError.required(path.child("image"), ""));
    }
    boolean sidecar = isInit && "Always".equals(c.getRestartPolicy());
    if (c.getRestartPolicy() != null) {
      if (isInit) {
        if (!sidecar) {
          errs.add(
              FieldError.notSupported(
                  path.child("restartPolicy"), c.getRestartPolicy(), List.of("Always")));
        }
      } else {
        errs.add(
            FieldError.forbidden(
                path.child("restartPolicy"), "may not be set for non-init containers"));
      }
    }
    validatePorts(c.getPorts(), path.child("ports"), hostPorts, hostNetwork, errs);
    validateEnv(c.getEnv(), path.child("env"), errs);
    validateMounts(c.getVolumeMounts(), volumes, path.child("volumeMounts"), errs);
    validateResources(c.getResources(), path.child("resources"), errs);
    if (c.getSecurityContext() != null) {
      FieldPath sc = path.child("securityContext");
      validateSeccomp(c.getSecurityContext().getSeccompProfile(), sc.child("seccompProfile"), errs);
      if (c.getSecurityContext().getProcMount() != null) {
        PodValidator.validateEnum(
            c.getSecurityContext().getProcMount(), PROC_MOUNTS, sc.child("procMount"), errs);
      }
    }
    if (isInit && !sidecar) {
      String detail = "may not be set for init containers without restartPolicy=Always";
      if (c.getLifecycle() != null) {
        errs.add(FieldError.forbidden(path.child("lifecycle"), detail));
      }
      if (c.getLivenessProbe() != null) {
        errs.add(FieldError.forbidden(path.child("livenessProbe"), detail));
      }
      if (c.getReadinessProbe() != null) {
        errs.add(FieldError.forbidden(path.child("readinessProbe"), detail));
      }
      if (c.getStartupProbe() != null) {
        errs.add(FieldError.forbidden(path.child("startupProbe"), detail));
      }
    } else {
      validateProbe(c.getLivenessProbe(), path.child("livenessProbe"), true, errs);
      validateProbe(c.getReadinessProbe(), path.child("readinessProbe"), false, errs);
      validateProbe(c.getStartupProbe(), path.child("startupProbe"), true, errs);
    }
  }

  private static void validatePorts(
      List<ContainerPort> ports,
      FieldPath path,
      Set<String> hostPorts,
      boolean hostNetwork,
      List<FieldError> errs) {
    Set<String> names = new HashSet<>();
    List<ContainerPort> list = Lists.nonNull(ports);
    for (int i = 0; i < list.size(); i++) {
      ContainerPort p = list.get(i);
      FieldPath idx = path.index(i);
      if (p == null) {
        errs.add(FieldError.required(idx.child("containerPort"), ""));
        continue;
      }
      if (p.getName() != null && !p.getName().isEmpty()) {
        for (String msg : NameRules.portName(p.getName())) {
          errs.add(FieldError.invalid(idx.child("name"), p.getName(), msg));
        }
        if (!names.add(p.getName())) {
          errs.add(FieldError.duplicate(idx.child("name"), p.getName()));
        }
      }
      int containerPort = p.getContainerPort() == null ? 0 : p.getContainerPort();
      if (containerPort == 0) {
        errs.add(FieldError.required(idx.child("containerPort"), ""));
      } else if (containerPort < 1 || containerPort > 65535) {
        errs.add(
            FieldError.invalid(
                idx.child("containerPort"),
                containerPort,
                NameRules.inclusiveRangeError(1, 65535)));
      }
      int hostPort = p.getHostPort() == null ? 0 : p.getHostPort();
      if (hostPort != 0 && (hostPort < 1 || hostPort > 65535)) {
        errs.add(
            FieldError.invalid(
                idx.child("hostPort"), hostPort, NameRules.inclusiveRangeError(1, 65535)));
      }
      String protocol = p.getProtocol();
      PodValidator.validateEnum(protocol, PROTOCOLS, idx.child("protocol"), errs);
      if (hostNetwork && hostPort != containerPort) {
        errs.add(
            FieldError.invalid(
                idx.child("hostPort"),
                hostPort,
                "must match `containerPort` when `hostNetwork` is true"));
      }
      if (hostPort != 0) {
        String hostIp = p.getHostIP() == null ? "" : p.getHostIP();
        String key = hostIp + "/" + hostPort + "/" + protocol;
        if (!hostPorts.add(key)) {
          errs.add(FieldError.duplicate(idx.child("hostPort"), hostPort + "/" + protocol));
        }
      }
    }
  }

  /**
   * The API's seccomp profile rules: a supported type; {@code localhostProfile} only with {@code
   * Localhost}, where it is required and must be a relative path that does not leave the node's
   * seccomp directory.
   */
  static void validateSeccomp(SeccompProfile p, FieldPath path, List<FieldError> errs) {
    if (p == null) {
      return;
    }
    String type = p.getType();
    if (type == null || type.isEmpty()) {
      errs.add(FieldError.required(path.child("type"), ""));
      return;
    }
    if (!SECCOMP_TYPES.contains(type)) {
      errs.add(FieldError.notSupported(path.child("type"), type, SECCOMP_TYPES));
      return;
    }
    String profile = p.getLocalhostProfile();
    FieldPath at = path.child("localhostProfile");
    if (!"Localhost".equals(type)) {
      if (profile != null) {
        errs.add(FieldError.invalid(at, profile, "can only be set when type is Localhost"));
      }
      return;
    }
    if (profile == null || profile.isEmpty()) {
      errs.add(FieldError.required(at, "must be set when seccomp type is Localhost"));
    } else if (profile.startsWith("/")) {
      errs.add(FieldError.invalid(at, profile, "must be a relative path"));
    } else if (java.util.Arrays.asList(profile.split("/")).contains("..")) {
      errs.add(FieldError.invalid(at, profile, "must not contain '..'"));
    }
  }

  private static void validateEnv(List<EnvVar> env, FieldPath path, List<FieldError> errs) {
    List<EnvVar> list = Lists.nonNull(env);
    for (int i = 0; i < list.size(); i++) {
      EnvVar e = list.get(i);
      FieldPath idx = path.index(i).child("name");
      if (e == null || e.getName() == null || e.getName().isEmpty()) {
        errs.add(FieldError.required(idx, ""));
        continue;
      }
      for (String msg : NameRules.envVarName(e.getName())) {
        errs.add(FieldError.invalid(idx, e.getName(), msg));
      }
    }
  }

  private static void validateMounts(
      List<VolumeMount> mounts, Set<String> volumes, FieldPath path, List<FieldError> errs) {
    Set<String> mountPaths = new HashSet<>();
    List<VolumeMount> list = Lists.nonNull(mounts);
    for (int i = 0; i < list.size(); i++) {
      VolumeMount m = list.get(i);
      FieldPath idx = path.index(i);
      String name = m == null ? null : m.getName();
      if (name == null || name.isEmpty()) {
        errs.add(FieldError.required(idx.child("name"), ""));
      } else if (!volumes.contains(name)) {
        errs.add(FieldError.notFound(idx.child("name"), name));
      }
      String mountPath = m == null ? null : m.getMountPath();
      if (mountPath == null || mountPath.isEmpty()) {
        errs.add(FieldError.required(idx.child("mountPath"), ""));
      } else if (!mountPaths.add(mountPath)) {
        errs.add(FieldError.invalid(idx.child("mountPath"), mountPath, "must be unique"));
      }
    }
  }

  private static void validateResources(
      ResourceRequirements res, FieldPath path, List<FieldError> errs) {
    if (res == null) {
      return;
    }
    Map<String, BigDecimal> limits = quantities(res.getLimits(), path.child("limits"), errs);
    Map<String, BigDecimal> requests = quantities(res.getRequests(), path.child("requests"), errs);
    for (Map.Entry<String, BigDecimal> r : requests.entrySet()) {
      BigDecimal limit = limits.get(r.getKey());
      if (limit != null && r.getValue().compareTo(limit) > 0) {
        errs.add(
            FieldError.invalid(
                path.child("requests"),
                res.getRequests().get(r.getKey()).toString(),
                "must be less than or equal to "
                    + r.getKey()
                    + " limit of "
                    + res.getLimits().get(r.getKey())));
      }
    }
  }

  private static Map<String, BigDecimal> quantities(
      Map<String, Quantity> map, FieldPath path, List<FieldError> errs) {
    Map<String, BigDecimal> parsed = new java.util.TreeMap<>();
    if (map == null) {
      return parsed;
    }
    for (Map.Entry<String, Quantity> e : map.entrySet()) {
      FieldPath key = path.key(e.getKey());
      for (String msg : NameRules.qualifiedName(e.getKey())) {
        errs.add(FieldError.invalid(key, e.getKey(), msg));
      }
      String text = e.getValue() == null ? "" : e.getValue().toString();
      if (!QUANTITY.matcher(text).matches()) {
        errs.add(FieldError.invalid(key, text, QUANTITY_MSG));
        continue;
      }
      BigDecimal amount;
      try {
        amount = Quantity.getAmountInBytes(e.getValue());
      } catch (ArithmeticException | IllegalArgumentException ex) {
        errs.add(FieldError.invalid(key, text, QUANTITY_MSG));
        continue;
      }
      if (amount.signum() < 0) {
        errs.add(FieldError.invalid(key, text, GE_ZERO));
        continue;
      }
      parsed.put(e.getKey(), amount);
    }
    return parsed;
  }

  private static void validateProbe(
      Probe p, FieldPath path, boolean successMustBeOne, List<FieldError> errs) {
    if (p == null) {
      return;
    }
    List<String> handlers = new ArrayList<>();
    if (p.getExec() != null) {
      handlers.add("exec");
    }
    if (p.getHttpGet() != null) {
      handlers.add("httpGet");
      validatePortRef(p.getHttpGet().getPort(), path.child("httpGet").child("port"), errs);
    }
    if (p.getTcpSocket() != null) {
      handlers.add("tcpSocket");
      validatePortRef(p.getTcpSocket().getPort(), path.child("tcpSocket").child("port"), errs);
    }
    if (p.getGrpc() != null) {
      handlers.add("grpc");
      Integer port = p.getGrpc().getPort();
      if (port == null || port < 1 || port > 65535) {
        errs.add(
            FieldError.invalid(
                path.child("grpc").child("port"), port, NameRules.inclusiveRangeError(1, 65535)));
      }
    }
    if (handlers.isEmpty()) {
      errs.add(FieldError.required(path, "must specify a handler type"));
    } else if (handlers.size() > 1) {
      errs.add(
          FieldError.forbidden(
              path.child(handlers.get(1)), "may not specify more than 1 handler type"));
    }
    nonNegative(p.getInitialDelaySeconds(), path.child("initialDelaySeconds"), errs);
    nonNegative(p.getTimeoutSeconds(), path.child("timeoutSeconds"), errs);
    nonNegative(p.getPeriodSeconds(), path.child("periodSeconds"), errs);
    nonNegative(p.getSuccessThreshold(), path.child("successThreshold"), errs);
    nonNegative(p.getFailureThreshold(), path.child("failureThreshold"), errs);
    positiveIfSet(p.getTimeoutSeconds(), path.child("timeoutSeconds"), errs);
    positiveIfSet(p.getPeriodSeconds(), path.child("periodSeconds"), errs);
    Integer success = p.getSuccessThreshold();
    if (successMustBeOne && success != null && success != 1) {
      errs.add(FieldError.invalid(path.child("successThreshold"), success, "must be 1"));
    }
    Long grace = p.getTerminationGracePeriodSeconds();
    if (grace != null && grace <= 0) {
      errs.add(
          FieldError.invalid(
              path.child("terminationGracePeriodSeconds"), grace, "must be greater than 0"));
    }
  }

  /**
   * The API server defaults 0 to the probe defaults before validating, so a zero that reaches here
   * was not defaulted; reject it like the defaulted API would never see it.
   */
  private static void positiveIfSet(Integer v, FieldPath path, List<FieldError> errs) {
    if (v != null && v == 0) {
      errs.add(FieldError.invalid(path, v, "must be greater than or equal to 1"));
    }
  }

  private static void nonNegative(Integer v, FieldPath path, List<FieldError> errs) {
    if (v != null && v < 0) {
      errs.add(FieldError.invalid(path, v, GE_ZERO));
    }
  }

  private static void validatePortRef(IntOrString port, FieldPath path, List<FieldError> errs) {
    if (port == null || (port.getIntVal() == null && port.getStrVal() == null)) {
      errs.add(FieldError.required(path, ""));
    } else if (port.getIntVal() != null) {
      int v = port.getIntVal();
      if (v < 1 || v > 65535) {
        errs.add(FieldError.invalid(path, v, NameRules.inclusiveRangeError(1, 65535)));
      }
    } else {
      for (String msg : NameRules.portName(port.getStrVal())) {
        errs.add(FieldError.invalid(path, port.getStrVal(), msg));
      }
    }
  }
}
