package io.berth.cri.internal;

import static io.berth.cri.internal.CommonMapping.instant;
import static io.berth.cri.internal.CommonMapping.int64;

import io.berth.cri.Container;
import io.berth.cri.ContainerConfig;
import io.berth.cri.ContainerFilter;
import io.berth.cri.ContainerSecurityContext;
import io.berth.cri.ContainerState;
import io.berth.cri.ContainerStatus;
import io.berth.cri.Device;
import io.berth.cri.EnvVar;
import io.berth.cri.ExecSyncResult;
import io.berth.cri.Mount;
import io.berth.cri.StreamingRequest;
import io.berth.cri.v1.AttachRequest;
import io.berth.cri.v1.Capability;
import io.berth.cri.v1.ContainerStateValue;
import io.berth.cri.v1.ContainerStatusResponse;
import io.berth.cri.v1.ExecRequest;
import io.berth.cri.v1.ExecSyncResponse;
import io.berth.cri.v1.KeyValue;
import io.berth.cri.v1.LinuxContainerConfig;
import io.berth.cri.v1.LinuxContainerSecurityContext;

/** Record ⇄ proto mapping for containers: config, status, list entries, filters, exec. */
final class ContainerMapping {
  private ContainerMapping() {}

  static io.berth.cri.v1.ContainerConfig toProto(ContainerConfig c) {
    var b =
        io.berth.cri.v1.ContainerConfig.newBuilder()
            .setMetadata(CommonMapping.toProto(c.metadata()))
            .setImage(CommonMapping.toProto(c.image()))
            .addAllCommand(c.command())
            .addAllArgs(c.args())
            .setWorkingDir(c.workingDir())
            .putAllLabels(c.labels())
            .putAllAnnotations(c.annotations())
            .setLogPath(c.logPath())
            .setStdin(c.stdin())
            .setStdinOnce(c.stdinOnce())
            .setTty(c.tty());
    for (EnvVar e : c.envs()) {
      b.addEnvs(KeyValue.newBuilder().setKey(e.name()).setValue(e.value()));
    }
    for (Mount m : c.mounts()) {
      b.addMounts(CommonMapping.toProto(m));
    }
    for (Device d : c.devices()) {
      b.addDevices(
          io.berth.cri.v1.Device.newBuilder()
              .setContainerPath(d.containerPath())
              .setHostPath(d.hostPath())
              .setPermissions(d.permissions()));
    }
    if (c.resources() != null || c.securityContext() != null) {
      var linux = LinuxContainerConfig.newBuilder();
      if (c.resources() != null) {
        linux.setResources(CommonMapping.toProto(c.resources()));
      }
      if (c.securityContext() != null) {
        linux.setSecurityContext(toProto(c.securityContext()));
      }
      b.setLinux(linux);
    }
    return b.build();
  }

  static LinuxContainerSecurityContext toProto(ContainerSecurityContext s) {
    var b =
        LinuxContainerSecurityContext.newBuilder()
            .setCapabilities(
                Capability.newBuilder()
                    .addAllAddCapabilities(s.capabilities().add())
                    .addAllDropCapabilities(s.capabilities().drop()))
            .setPrivileged(s.privileged())
            .setNamespaceOptions(CommonMapping.toProto(s.namespaceOptions()))
            .setRunAsUsername(s.runAsUsername())
            .setReadonlyRootfs(s.readonlyRootfs())
            .addAllSupplementalGroups(s.supplementalGroups())
            .setNoNewPrivs(s.noNewPrivs())
            .addAllMaskedPaths(s.maskedPaths())
            .addAllReadonlyPaths(s.readonlyPaths());
    if (s.runAsUser() != null) {
      b.setRunAsUser(int64(s.runAsUser()));
    }
    if (s.runAsGroup() != null) {
      b.setRunAsGroup(int64(s.runAsGroup()));
    }
    if (s.seccomp() != null) {
      b.setSeccomp(CommonMapping.toProto(s.seccomp()));
    }
    if (s.apparmor() != null) {
      b.setApparmor(CommonMapping.toProto(s.apparmor()));
    }
    return b.build();
  }

  static ContainerStatus containerStatus(ContainerStatusResponse r) {
    var s = r.getStatus();
    var resources =
        s.hasResources() && s.getResources().hasLinux()
            ? CommonMapping.fromProto(s.getResources().getLinux())
            : null;
    return new ContainerStatus(
        s.getId(),
        CommonMapping.fromProto(s.getMetadata()),
        fromProto(s.getState()),
        instant(s.getCreatedAt()),
        instant(s.getStartedAt()),
        instant(s.getFinishedAt()),
        s.getExitCode(),
        CommonMapping.fromProto(s.getImage()),
        s.getImageRef(),
        s.getReason(),
        s.getMessage(),
        s.getLabelsMap(),
        s.getAnnotationsMap(),
        CommonMapping.mountsFromProto(s.getMountsList()),
        s.getLogPath(),
        resources,
        r.getInfoMap());
  }

  static Container container(io.berth.cri.v1.Container c) {
    return new Container(
        c.getId(),
        c.getPodSandboxId(),
        CommonMapping.fromProto(c.getMetadata()),
        CommonMapping.fromProto(c.getImage()),
        c.getImageRef(),
        fromProto(c.getState()),
        instant(c.getCreatedAt()),
        c.getLabelsMap(),
        c.getAnnotationsMap());
  }

  static ContainerState fromProto(io.berth.cri.v1.ContainerState state) {
    return switch (state) {
      case CONTAINER_CREATED -> ContainerState.CREATED;
      case CONTAINER_RUNNING -> ContainerState.RUNNING;
      case CONTAINER_EXITED -> ContainerState.EXITED;
      case CONTAINER_UNKNOWN, UNRECOGNIZED -> ContainerState.UNKNOWN;
    };
  }

  static io.berth.cri.v1.ContainerState toProto(ContainerState state) {
    return switch (state) {
      case CREATED -> io.berth.cri.v1.ContainerState.CONTAINER_CREATED;
      case RUNNING -> io.berth.cri.v1.ContainerState.CONTAINER_RUNNING;
      case EXITED -> io.berth.cri.v1.ContainerState.CONTAINER_EXITED;
      case UNKNOWN -> io.berth.cri.v1.ContainerState.CONTAINER_UNKNOWN;
    };
  }

  static io.berth.cri.v1.ContainerFilter toProto(ContainerFilter f) {
    var b =
        io.berth.cri.v1.ContainerFilter.newBuilder()
            .setId(f.id())
            .setPodSandboxId(f.podSandboxId())
            .putAllLabelSelector(f.labelSelector());
    if (f.state() != null) {
      b.setState(ContainerStateValue.newBuilder().setState(toProto(f.state())));
    }
    return b.build();
  }

  static ExecSyncResult execSyncResult(ExecSyncResponse r) {
    return new ExecSyncResult(
        r.getStdout().toByteArray(), r.getStderr().toByteArray(), r.getExitCode());
  }

  static ExecRequest toExec(StreamingRequest r) {
    return ExecRequest.newBuilder()
        .setContainerId(r.containerId())
        .addAllCmd(r.cmd())
        .setTty(r.tty())
        .setStdin(r.stdin())
        .setStdout(r.stdout())
        .setStderr(r.stderr())
        .build();
  }

  static AttachRequest toAttach(StreamingRequest r) {
    return AttachRequest.newBuilder()
        .setContainerId(r.containerId())
        .setTty(r.tty())
        .setStdin(r.stdin())
        .setStdout(r.stdout())
        .setStderr(r.stderr())
        .build();
  }
}
