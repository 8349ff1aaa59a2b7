package io.berth.cri;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything needed to run a pod sandbox. {@code dnsConfig} and {@code linux} may be {@code null}.
 * Build one with {@link #builder(PodSandboxMetadata)}.
 *
 * @param logDirectory host directory for the pod's container logs, e.g. {@code
 *     /var/log/pods/<ns>_<name>_<uid>}
 */
public record PodSandboxConfig(
    PodSandboxMetadata metadata,
    String hostname,
    String logDirectory,
    DnsConfig dnsConfig,
    List<PortMapping> portMappings,
    Map<String, String> labels,
    Map<String, String> annotations,
    LinuxSandboxConfig linux) {
  public PodSandboxConfig {
    if (metadata == null) {
      throw new IllegalArgumentException(
          "PodSandboxConfig needs metadata (pod name, uid, namespace)");
    }
    hostname = Copies.str(hostname);
    logDirectory = Copies.str(logDirectory);
    portMappings = Copies.list(portMappings);
    labels = Copies.map(labels);
    annotations = Copies.map(annotations);
  }

  public static Builder builder(PodSandboxMetadata metadata) {
    return new Builder(metadata);
  }

  /** Builder; labels and annotations accumulate. */
  public static final class Builder {
    private final PodSandboxMetadata metadata;
    private String hostname = "";
    private String logDirectory = "";
    private DnsConfig dnsConfig;
    private final List<PortMapping> portMappings = new ArrayList<>();
    private final Map<String, String> labels = new LinkedHashMap<>();
    private final Map<String, String> annotations = new LinkedHashMap<>();
    private LinuxSandboxConfig linux;

    private Builder(PodSandboxMetadata metadata) {
      this.metadata = metadata;
    }

    public Builder hostname(String value) {
      this.hostname = value;
      return this;
    }

    public Builder logDirectory(String value) {
      this.logDirectory = value;
      return this;
    }

    public Builder dnsConfig(DnsConfig value) {
      this.dnsConfig = value;
      return this;
    }

    public Builder portMapping(PortMapping value) {
      this.portMappings.add(value);
      return this;
    }

    public Builder label(String key, String value) {
      this.labels.put(key, value);
      return this;
    }

    public Builder labels(Map<String, String> values) {
      this.labels.putAll(values);
      return this;
    }

    public Builder annotation(String key, String value) {
      this.annotations.put(key, value);
      return this;
    }

    public Builder annotations(Map<String, String> values) {
      this.annotations.putAll(values);
      return this;
    }

    public Builder linux(LinuxSandboxConfig value) {
      this.linux = value;
      return this;
    }

    /** Shortcut for a Linux config with this cgroup parent and namespace options. */
    public Builder linux(String cgroupParent, NamespaceOptions namespaces) {
      this.linux =
          new LinuxSandboxConfig(cgroupParent, SandboxSecurityContext.of(namespaces), Map.of());
      return this;
    }

    public PodSandboxConfig build() {
      return new PodSandboxConfig(
          metadata, hostname, logDirectory, dnsConfig, portMappings, labels, annotations, linux);
    }
  }
}
