package io.berth.cri;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything needed to create a container in a sandbox. {@code resources} and {@code
 * securityContext} may be {@code null}. Build one with {@link #builder(ContainerMetadata, String)}.
 *
 * @param logPath log file path relative to the sandbox's log directory, e.g. {@code app/0.log}
 */
public record ContainerConfig(
    ContainerMetadata metadata,
    ImageSpec image,
    List<String> command,
    List<String> args,
    String workingDir,
    List<EnvVar> envs,
    List<Mount> mounts,
    List<Device> devices,
    Map<String, String> labels,
    Map<String, String> annotations,
    String logPath,
    boolean stdin,
    boolean stdinOnce,
    boolean tty,
    LinuxContainerResources resources,
    ContainerSecurityContext securityContext) {
  public ContainerConfig {
    if (metadata == null || image == null) {
      throw new IllegalArgumentException("ContainerConfig needs metadata and an image");
    }
    command = Copies.list(command);
    args = Copies.list(args);
    workingDir = Copies.str(workingDir);
    envs = Copies.list(envs);
    mounts = Copies.list(mounts);
    devices = Copies.list(devices);
    labels = Copies.map(labels);
    annotations = Copies.map(annotations);
    logPath = Copies.str(logPath);
  }

  /** This config with another security context. */
  public ContainerConfig withSecurityContext(ContainerSecurityContext context) {
    return new ContainerConfig(
        metadata,
        image,
        command,
        args,
        workingDir,
        envs,
        mounts,
        devices,
        labels,
        annotations,
        logPath,
        stdin,
        stdinOnce,
        tty,
        resources,
        context);
  }

  public static Builder builder(ContainerMetadata metadata, String image) {
    return new Builder(metadata, ImageSpec.of(image));
  }

  /** Builder; list and map fields accumulate. */
  public static final class Builder {
    private final ContainerMetadata metadata;
    private ImageSpec image;
    private List<String> command = List.of();
    private List<String> args = List.of();
    private String workingDir = "";
    private final List<EnvVar> envs = new ArrayList<>();
    private final List<Mount> mounts = new ArrayList<>();
    private final List<Device> devices = new ArrayList<>();
    private final Map<String, String> labels = new LinkedHashMap<>();
    private final Map<String, String> annotations = new LinkedHashMap<>();
    private String logPath = "";
    private boolean stdin;
    private boolean stdinOnce;
    private boolean tty;
    private LinuxContainerResources resources;
    private ContainerSecurityContext securityContext;

    private Builder(ContainerMetadata metadata, ImageSpec image) {
      this.metadata = metadata;
      this.image = image;
    }

    public Builder image(ImageSpec value) {
      this.image = value;
      return this;
    }

    public Builder command(String... value) {
      this.command = List.of(value);
      return this;
    }

    public Builder args(String... value) {
      this.args = List.of(value);
      return this;
    }

    public Builder workingDir(String value) {
      this.workingDir = value;
      return this;
    }

    public Builder env(String name, String value) {
      this.envs.add(new EnvVar(name, value));
      return this;
    }

    public Builder mount(Mount value) {
      this.mounts.add(value);
      return this;
    }

    public Builder device(Device value) {
      this.devices.add(value);
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

    public Builder logPath(String value) {
      this.logPath = value;
      return this;
    }

    public Builder stdin(boolean value, boolean once) {
      this.stdin = value;
      this.stdinOnce = once;
      return this;
    }

    public Builder tty(boolean value) {
      this.tty = value;
      return this;
    }

    public Builder resources(LinuxContainerResources value) {
      this.resources = value;
      return this;
    }

    public Builder securityContext(ContainerSecurityContext value) {
      this.securityContext = value;
      return this;
    }

    public ContainerConfig build() {
      return new ContainerConfig(
          metadata,
          image,
          command,
          args,
          workingDir,
          envs,
          mounts,
          devices,
          labels,
          annotations,
          logPath,
          stdin,
          stdinOnce,
          tty,
          resources,
          securityContext);
    }
  }
}
