package io.berth.agent.podobjects;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EphemeralContainer;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The ConfigMaps and Secrets a pod refers to (the kubelet's {@code getConfigMapNames} / {@code
 * getSecretNames}): configMap, secret and projected volumes, {@code env[].valueFrom} key references
 * and {@code envFrom} of every container, init container and ephemeral container, and image pull
 * secrets.
 */
public final class PodReferences {
  private PodReferences() {}

  public static Set<ObjectKey> of(Pod pod) {
    Set<ObjectKey> out = new LinkedHashSet<>();
    PodSpec spec = pod.getSpec();
    if (spec == null || pod.getMetadata() == null) {
      return out;
    }
    String ns = pod.getMetadata().getNamespace();
    for (Volume v : nullSafe(spec.getVolumes())) {
      if (v.getConfigMap() != null) {
        add(out, ObjectKey.Kind.CONFIG_MAP, ns, v.getConfigMap().getName());
      }
      if (v.getSecret() != null) {
        add(out, ObjectKey.Kind.SECRET, ns, v.getSecret().getSecretName());
      }
      if (v.getProjected() != null) {
        for (VolumeProjection p : nullSafe(v.getProjected().getSources())) {
          if (p.getConfigMap() != null) {
            add(out, ObjectKey.Kind.CONFIG_MAP, ns, p.getConfigMap().getName());
          }
          if (p.getSecret() != null) {
            add(out, ObjectKey.Kind.SECRET, ns, p.getSecret().getName());
          }
        }
      }
    }
    for (var ref : nullSafe(spec.getImagePullSecrets())) {
      add(out, ObjectKey.Kind.SECRET, ns, ref.getName());
    }
    for (Container c : nullSafe(spec.getInitContainers())) {
      env(out, ns, c.getEnv(), c.getEnvFrom());
    }
    for (Container c : nullSafe(spec.getContainers())) {
      env(out, ns, c.getEnv(), c.getEnvFrom());
    }
    for (EphemeralContainer c : nullSafe(spec.getEphemeralContainers())) {
      env(out, ns, c.getEnv(), c.getEnvFrom());
    }
    return out;
  }

  private static void env(
      Set<ObjectKey> out, String ns, List<EnvVar> env, List<EnvFromSource> envFrom) {
    for (EnvFromSource from : nullSafe(envFrom)) {
      if (from.getConfigMapRef() != null) {
        add(out, ObjectKey.Kind.CONFIG_MAP, ns, from.getConfigMapRef().getName());
      }
      if (from.getSecretRef() != null) {
        add(out, ObjectKey.Kind.SECRET, ns, from.getSecretRef().getName());
      }
    }
    for (EnvVar var : nullSafe(env)) {
      if (var.getValueFrom() == null) {
        continue;
      }
      if (var.getValueFrom().getConfigMapKeyRef() != null) {
        add(out, ObjectKey.Kind.CONFIG_MAP, ns, var.getValueFrom().getConfigMapKeyRef().getName());
      }
      if (var.getValueFrom().getSecretKeyRef() != null) {
        add(out, ObjectKey.Kind.SECRET, ns, var.getValueFrom().getSecretKeyRef().getName());
      }
    }
  }

  private static void add(Set<ObjectKey> out, ObjectKey.Kind kind, String ns, String name) {
    if (name != null && !name.isEmpty()) {
      out.add(new ObjectKey(kind, ns, name));
    }
  }

  private static <T> List<T> nullSafe(List<T> list) {
    return list == null ? List.of() : list;
  }
}
