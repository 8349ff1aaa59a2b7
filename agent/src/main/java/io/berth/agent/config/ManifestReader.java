package io.berth.agent.config;

import io.berth.agent.kuberuntime.PodDefaults;
import io.berth.agent.validation.FieldError;
import io.berth.agent.validation.PodValidator;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The kubelet's {@code tryDecodeSinglePod}/{@code tryDecodePodList}: decode, require a name, apply
 * the scheme defaults and the static pod defaults, validate. A PodList is all or nothing, as in the
 * kubelet: one invalid item rejects the whole list. Thread safe.
 */
public final class ManifestReader {
  /** Validation errors shown in a rejection reason. */
  static final int MAX_ERRORS = 10;

  private final ManifestDecoder decoder;
  private final StaticPodDefaults defaults;
  private final PodValidator validator = new PodValidator();

  /** The outcome of reading one manifest. */
  public sealed interface Result {
    /** Valid pods, defaulted, ready for {@link PodConfig}. */
    record Accepted(List<Pod> pods) implements Result {
      public Accepted {
        pods = List.copyOf(pods);
      }
    }

    /** Why the manifest was refused. */
    record Rejected(String reason) implements Result {}
  }

  public ManifestReader(ManifestDecoder decoder, StaticPodDefaults defaults) {
    this.decoder = Objects.requireNonNull(decoder, "decoder");
    this.defaults = Objects.requireNonNull(defaults, "defaults");
  }

  /** Reads a manifest from {@code source} found at {@code location} (file path or URL). */
  public Result read(byte[] data, ConfigSource source, String location) {
    boolean allowList = source != ConfigSource.FILE;
    return switch (decoder.decode(data, allowList)) {
      case ManifestDecoder.Result.Failed f -> new Result.Rejected(f.reason());
      case ManifestDecoder.Result.Decoded d -> accept(d.pods(), source, location);
    };
  }

  private Result accept(List<Pod> pods, ConfigSource source, String location) {
    List<Pod> out = new ArrayList<>();
    for (int i = 0; i < pods.size(); i++) {
      Pod pod = pods.get(i);
      String prefix = pods.size() > 1 ? "items[" + i + "]: " : "";
      if (pod.getMetadata() == null
          || pod.getMetadata().getName() == null
          || pod.getMetadata().getName().isEmpty()) {
        return new Result.Rejected(prefix + "invalid pod: name is needed for the pod");
      }
      if (pod.getSpec() == null) {
        return new Result.Rejected(prefix + "invalid pod: spec.containers: Required value");
      }
      pod = PodDefaults.apply(pod);
      defaults.apply(pod, source, location);
      List<FieldError> errs = validator.validate(pod);
      if (!errs.isEmpty()) {
        return new Result.Rejected(prefix + "invalid pod: " + summarize(errs));
      }
      String forbidden = staticPodRestriction(pod);
      if (forbidden != null) {
        return new Result.Rejected(prefix + forbidden);
      }
      out.add(pod);
    }
    return new Result.Accepted(out);
  }

  /**
   * The kubelet's unconditional static pod restrictions ({@code tryDecodeSinglePod}): no
   * ClusterTrustBundle projections and no ResourceClaims. The wider ban on API object references
   * ({@code PreventStaticPodAPIReferences}) is not implemented yet.
   */
  static String staticPodRestriction(Pod pod) {
    for (Volume v : nonNull(pod.getSpec().getVolumes())) {
      if (v != null && v.getProjected() != null) {
        for (VolumeProjection p : nonNull(v.getProjected().getSources())) {
          if (p != null && p.getClusterTrustBundle() != null) {
            return "static pods may not use ClusterTrustBundle projected volume sources";
          }
        }
      }
    }
    if (!nonNull(pod.getSpec().getResourceClaims()).isEmpty()) {
      return "static pods may not use ResourceClaims";
    }
    return null;
  }

  private static <T> List<T> nonNull(List<T> list) {
    return list == null ? List.of() : list;
  }

  /** {@code [e1, e2, ...]} like the kubelet, cut after {@link #MAX_ERRORS} to keep one log line. */
  static String summarize(List<FieldError> errs) {
    String shown =
        errs.stream().limit(MAX_ERRORS).map(FieldError::toString).collect(Collectors.joining(", "));
    int more = errs.size() - MAX_ERRORS;
    return "[" + shown + (more > 0 ? ", and " + more + " more errors" : "") + "]";
  }
}
