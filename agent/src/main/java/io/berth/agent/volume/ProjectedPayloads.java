package io.berth.agent.volume;

import io.berth.agent.kuberuntime.ConfigSource;
import io.berth.agent.kuberuntime.ContainerConfigException;
import io.berth.agent.kuberuntime.EnvResolver;
import io.berth.agent.podobjects.ObjectNotSyncedException;
import io.fabric8.kubernetes.api.model.ConfigMapProjection;
import io.fabric8.kubernetes.api.model.ConfigMapVolumeSource;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.DownwardAPIVolumeFile;
import io.fabric8.kubernetes.api.model.DownwardAPIVolumeSource;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ProjectedVolumeSource;
import io.fabric8.kubernetes.api.model.SecretProjection;
import io.fabric8.kubernetes.api.model.SecretVolumeSource;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The files of configMap, secret, downwardAPI and projected volumes (the kubelet's {@code
 * MakePayload} and {@code CollectData} of each plugin): keys or items → relative paths with their
 * modes. ConfigMaps and Secrets come from a {@link ConfigSource}.
 *
 * <p>Default modes: 0644 as the API defaults {@code defaultMode}, except secrets, which berth
 * writes 0400 when the spec leaves {@code defaultMode} unset (the API server would have filled in
 * 0644; a manifest read by berth directly gets the safer default). With an {@code fsGroup}, files
 * also get group read, as the kubelet's ownership pass does for read-only volumes.
 */
public final class ProjectedPayloads {
  static final int DEFAULT_MODE = 0644;
  static final int SECRET_DEFAULT_MODE = 0400;

  private final ConfigSource configs;
  private final EnvResolver fields;

  public ProjectedPayloads(ConfigSource configs, EnvResolver fields) {
    this.configs = configs;
    this.fields = fields;
  }

  Map<String, FileProjection> configMap(Pod pod, String volume, ConfigMapVolumeSource src)
      throws VolumeException {
    return object(
        pod,
        volume,
        "configmap",
        src.getName(),
        src.getItems(),
        src.getOptional(),
        mode(src.getDefaultMode(), DEFAULT_MODE, volume));
  }

  Map<String, FileProjection> secret(Pod pod, String volume, SecretVolumeSource src)
      throws VolumeException {
    return object(
        pod,
        volume,
        "secret",
        src.getSecretName(),
        src.getItems(),
        src.getOptional(),
        mode(src.getDefaultMode(), SECRET_DEFAULT_MODE, volume));
  }

  private Map<String, FileProjection> object(
      Pod pod,
      String volume,
      String kind,
      String name,
      List<KeyToPath> items,
      Boolean optional,
      int mode)
      throws VolumeException {
    Map<String, FileProjection> out = new TreeMap<>();
    addObject(out, pod, volume, kind, name, items, mode, Boolean.TRUE.equals(optional));
    return out;
  }

  Map<String, FileProjection> downwardApi(Pod pod, String volume, DownwardAPIVolumeSource src)
      throws VolumeException {
    Map<String, FileProjection> out = new TreeMap<>();
    int mode = mode(src.getDefaultMode(), DEFAULT_MODE, volume);
    addDownward(out, pod, volume, src.getItems(), mode);
    return out;
  }

  Map<String, FileProjection> projected(Pod pod, String volume, ProjectedVolumeSource src)
      throws VolumeException {
    Map<String, FileProjection> out = new TreeMap<>();
    int mode = mode(src.getDefaultMode(), DEFAULT_MODE, volume);
    List<VolumeProjection> sources = src.getSources() == null ? List.of() : src.getSources();
    for (VolumeProjection p : sources) {
      if (p.getConfigMap() != null) {
        ConfigMapProjection c = p.getConfigMap();
        addObject(
            out,
            pod,
            volume,
            "configmap",
            c.getName(),
            c.getItems(),
            mode,
            Boolean.TRUE.equals(c.getOptional()));
      } else if (p.getSecret() != null) {
        SecretProjection s = p.getSecret();
        addObject(
            out,
            pod,
            volume,
            "secret",
            s.getName(),
            s.getItems(),
            mode,
            Boolean.TRUE.equals(s.getOptional()));
      } else if (p.getDownwardAPI() != null) {
        addDownward(out, pod, volume, p.getDownwardAPI().getItems(), mode);
      } else if (p.getServiceAccountToken() != null) {
        throw new VolumeException(
            "volume \""
                + volume
                + "\": serviceAccountToken projections need the API server (not supported in"
                + " standalone mode)");
      } else {
        throw new VolumeException(
            "volume \"" + volume + "\": projected source kind not supported by berth");
      }
    }
    return out;
  }

  private void addObject(
      Map<String, FileProjection> out,
      Pod pod,
      String volume,
      String kind,
      String name,
      List<KeyToPath> items,
      int defaultMode,
      boolean optional)
      throws VolumeException {
    String ns = pod.getMetadata().getNamespace();
    Optional<Map<String, String>> data;
    try {
      data = kind.equals("secret") ? configs.secret(ns, name) : configs.configMap(ns, name);
    } catch (ObjectNotSyncedException e) {
      throw new VolumeException("volume \"" + volume + "\": " + e.getMessage(), e);
    }
    if (data.isEmpty()) {
      if (optional) {
        return;
      }
      throw new VolumeException(
          "volume \"" + volume + "\": " + kind + " \"" + ns + "/" + name + "\" not found");
    }
    Map<String, String> values = data.get();
    if (items == null || items.isEmpty()) {
      for (Map.Entry<String, String> e : new TreeMap<>(values).entrySet()) {
        put(out, volume, e.getKey(), e.getValue(), defaultMode);
      }
      return;
    }
    for (KeyToPath item : items) {
      String value = values.get(item.getKey());
      if (value == null) {
        if (optional) {
          continue;
        }
        throw new VolumeException(
            "volume \""
                + volume
                + "\": "
                + kind
                + " "
                + ns
                + "/"
                + name
                + " has no key \""
                + item.getKey()
                + "\"");
      }
      put(out, volume, item.getPath(), value, mode(item.getMode(), defaultMode, volume));
    }
  }

  private void addDownward(
      Map<String, FileProjection> out,
      Pod pod,
      String volume,
      List<DownwardAPIVolumeFile> items,
      int defaultMode)
      throws VolumeException {
    for (DownwardAPIVolumeFile item : items == null ? List.<DownwardAPIVolumeFile>of() : items) {
      String value;
      try {
        if (item.getFieldRef() != null) {
          value = fields.fieldValue(pod, volume, item.getFieldRef(), List.of());
        } else if (item.getResourceFieldRef() != null) {
          value =
              fields.resourceValue(
                  pod, containerFor(pod, item, volume), item.getResourceFieldRef());
        } else {
          throw new VolumeException(
              "volume \"" + volume + "\": item \"" + item.getPath() + "\" has no source");
        }
      } catch (ContainerConfigException e) {
        throw new VolumeException("volume \"" + volume + "\": " + e.getMessage(), e);
      }
      put(out, volume, item.getPath(), value, mode(item.getMode(), defaultMode, volume));
    }
  }

  private static Container containerFor(Pod pod, DownwardAPIVolumeFile item, String volume)
      throws VolumeException {
    String name = item.getResourceFieldRef().getContainerName();
    List<Container> all = new ArrayList<>(pod.getSpec().getContainers());
    if (pod.getSpec().getInitContainers() != null) {
      all.addAll(pod.getSpec().getInitContainers());
    }
    for (Container c : all) {
      if (c.getName().equals(name)) {
        return c;
      }
    }
    throw new VolumeException(
        "volume \"" + volume + "\": resourceFieldRef names unknown container \"" + name + "\"");
  }

  private static void put(
      Map<String, FileProjection> out, String volume, String path, String value, int mode)
      throws VolumeException {
    PayloadPaths.check("volume \"" + volume + "\" path", path);
    if (out.containsKey(path)) {
      throw new VolumeException(
          "volume \"" + volume + "\": two sources write path \"" + path + "\"");
    }
    out.put(path, new FileProjection(value.getBytes(StandardCharsets.UTF_8), mode));
  }

  private static int mode(Integer mode, int fallback, String volume) throws VolumeException {
    if (mode == null) {
      return fallback;
    }
    if (mode < 0 || mode > 0777) {
      throw new VolumeException(
          "volume \"" + volume + "\": mode " + mode + " is not within 0 and 0777 (octal)");
    }
    return mode;
  }
}
