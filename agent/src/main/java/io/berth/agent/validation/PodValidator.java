package io.berth.agent.validation;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Validates a pod the way the API server's {@code ValidatePodCreate} does ({@code
 * pkg/apis/core/validation/validation.go}) for the rules berth enforces on static pods: object
 * metadata, the pod spec's enumerations, volumes, and (through {@link ContainerValidator})
 * containers. Messages and field paths are the API server's.
 *
 * <p>Call {@link io.berth.agent.kuberuntime.PodDefaults#apply} first, as the API server's decoder
 * applies the scheme defaults before validation. Stateless and thread safe.
 */
public final class PodValidator {
  /** {@code TotalAnnotationSizeLimitB}: 256 KiB. */
  public static final int TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

  static final List<String> RESTART_POLICIES = List.of("Always", "OnFailure", "Never");
  static final List<String> DNS_POLICIES =
      List.of("ClusterFirstWithHostNet", "ClusterFirst", "Default", "None");

  private final ContainerValidator containers = new ContainerValidator();

  /** Returns every violation, in the order the API server reports them; empty if valid. */
  public List<FieldError> validate(Pod pod) {
    List<FieldError> errs = new ArrayList<>();
    validateMeta(pod.getMetadata(), errs);
    PodSpec spec = pod.getSpec();
    FieldPath specPath = FieldPath.root("spec");
    if (spec == null) {
      errs.add(FieldError.required(specPath.child("containers"), ""));
      return errs;
    }
    Set<String> volumeNames = validateVolumes(spec.getVolumes(), specPath.child("volumes"), errs);
    containers.validateAll(spec, volumeNames, specPath, errs);
    if (spec.getSecurityContext() != null) {
      ContainerValidator.validateSeccomp(
          spec.getSecurityContext().getSeccompProfile(),
          specPath.child("securityContext").child("seccompProfile"),
          errs);
    }
    validateEnum(spec.getRestartPolicy(), RESTART_POLICIES, specPath.child("restartPolicy"), errs);
    validateEnum(spec.getDnsPolicy(), DNS_POLICIES, specPath.child("dnsPolicy"), errs);
    Long grace = spec.getTerminationGracePeriodSeconds();
    if (grace != null && grace < 0) {
      errs.add(
          FieldError.invalid(
              specPath.child("terminationGracePeriodSeconds"),
              grace,
              "must be greater than or equal to 0"));
    }
    Long deadline = spec.getActiveDeadlineSeconds();
    if (deadline != null && deadline < 1) {
      errs.add(
          FieldError.invalid(
              specPath.child("activeDeadlineSeconds"),
              deadline,
              "must be between 1 and 2147483647, inclusive"));
    }
    return errs;
  }

  private static void validateMeta(ObjectMeta meta, List<FieldError> errs) {
    FieldPath path = FieldPath.root("metadata");
    if (meta == null || meta.getName() == null || meta.getName().isEmpty()) {
      errs.add(FieldError.required(path.child("name"), "name or generateName is required"));
    } else {
      for (String msg : NameRules.dns1123Subdomain(meta.getName())) {
        errs.add(FieldError.invalid(path.child("name"), meta.getName(), msg));
      }
    }
    if (meta == null) {
      return;
    }
    String ns = meta.getNamespace();
    if (ns == null || ns.isEmpty()) {
      errs.add(FieldError.required(path.child("namespace"), ""));
    } else {
      for (String msg : NameRules.dns1123Label(ns)) {
        errs.add(FieldError.invalid(path.child("namespace"), ns, msg));
      }
    }
    validateLabels(meta.getLabels(), path.child("labels"), errs);
    validateAnnotations(meta.getAnnotations(), path.child("annotations"), errs);
  }

  /** {@code ValidateLabels}: keys are qualified names, values label values. */
  static void validateLabels(Map<String, String> labels, FieldPath path, List<FieldError> errs) {
    if (labels == null) {
      return;
    }
    for (Map.Entry<String, String> e : labels.entrySet()) {
      for (String msg : NameRules.qualifiedName(e.getKey())) {
        errs.add(FieldError.invalid(path, e.getKey(), msg));
      }
      String value = e.getValue() == null ? "" : e.getValue();
      for (String msg : NameRules.labelValue(value)) {
        errs.add(FieldError.invalid(path, value, msg));
      }
    }
  }

  /** {@code ValidateAnnotations}: lower-cased keys are qualified names; total size limited. */
  static void validateAnnotations(
      Map<String, String> annotations, FieldPath path, List<FieldError> errs) {
    if (annotations == null) {
      return;
    }
    long total = 0;
    for (Map.Entry<String, String> e : annotations.entrySet()) {
      for (String msg : NameRules.qualifiedName(e.getKey().toLowerCase(Locale.ROOT))) {
        errs.add(FieldError.invalid(path, e.getKey(), msg));
      }
      total += e.getKey().getBytes(StandardCharsets.UTF_8).length;
      total += e.getValue() == null ? 0 : e.getValue().getBytes(StandardCharsets.UTF_8).length;
    }
    if (total > TOTAL_ANNOTATION_SIZE_LIMIT) {
      errs.add(FieldError.tooLong(path, TOTAL_ANNOTATION_SIZE_LIMIT));
    }
  }

  private static Set<String> validateVolumes(
      List<Volume> volumes, FieldPath path, List<FieldError> errs) {
    Set<String> names = new HashSet<>();
    List<Volume> list = Lists.nonNull(volumes);
    for (int i = 0; i < list.size(); i++) {
      Volume v = list.get(i);
      FieldPath idx = path.index(i);
      if (v == null) {
        errs.add(FieldError.required(idx, "must specify a volume type"));
        continue;
      }
      String name = v.getName();
      if (name == null || name.isEmpty()) {
        errs.add(FieldError.required(idx.child("name"), ""));
      } else {
        for (String msg : NameRules.dns1123Label(name)) {
          errs.add(FieldError.invalid(idx.child("name"), name, msg));
        }
        if (!names.add(name)) {
          errs.add(FieldError.duplicate(idx.child("name"), name));
        }
      }
      List<String> sources = VolumeSources.present(v);
      if (sources.isEmpty()) {
        errs.add(FieldError.required(idx, "must specify a volume type"));
      } else if (sources.size() > 1) {
        errs.add(
            FieldError.forbidden(
                idx.child(sources.get(1)), "may not specify more than 1 volume type"));
      }
    }
    return names;
  }

  static void validateEnum(
      String value, List<String> supported, FieldPath path, List<FieldError> errs) {
    if (value == null || value.isEmpty()) {
      errs.add(FieldError.required(path, ""));
    } else if (!supported.contains(value)) {
      errs.add(FieldError.notSupported(path, value, supported));
    }
  }

  static List<Container> nonNullContainers(List<Container> list) {
    return Lists.nonNull(list);
  }
}
