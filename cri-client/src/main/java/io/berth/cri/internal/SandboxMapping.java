package io.berth.cri.internal;

import static io.berth.cri.internal.CommonMapping.instant;
import static io.berth.cri.internal.CommonMapping.int64;

import io.berth.cri.DnsConfig;
import io.berth.cri.LinuxSandboxConfig;
import io.berth.cri.NamespaceOptions;
import io.berth.cri.PodSandbox;
import io.berth.cri.PodSandboxConfig;
import io.berth.cri.PodSandboxFilter;
import io.berth.cri.PodSandboxState;
import io.berth.cri.PodSandboxStatus;
import io.berth.cri.PortMapping;
import io.berth.cri.SandboxSecurityContext;
import io.berth.cri.v1.DNSConfig;
import io.berth.cri.v1.LinuxPodSandboxConfig;
import io.berth.cri.v1.LinuxSandboxSecurityContext;
import io.berth.cri.v1.PodIP;
import io.berth.cri.v1.PodSandboxStateValue;
import io.berth.cri.v1.PodSandboxStatusResponse;
import io.berth.cri.v1.Protocol;

/** Record ⇄ proto mapping for pod sandboxes: config, status, list entries, filters. */
final class SandboxMapping {
  private SandboxMapping() {}

  static io.berth.cri.v1.PodSandboxConfig toProto(PodSandboxConfig c) {
    var b =
        io.berth.cri.v1.PodSandboxConfig.newBuilder()
            .setMetadata(CommonMapping.toProto(c.metadata()))
            .setHostname(c.hostname())
            .setLogDirectory(c.logDirectory())
            .putAllLabels(c.labels())
            .putAllAnnotations(c.annotations());
    if (c.dnsConfig() != null) {
      b.setDnsConfig(toProto(c.dnsConfig()));
    }
    for (PortMapping p : c.portMappings()) {
      b.addPortMappings(toProto(p));
    }
    if (c.linux() != null) {
      b.setLinux(toProto(c.linux()));
    }
    return b.build();
  }

  static DNSConfig toProto(DnsConfig d) {
    return DNSConfig.newBuilder()
        .addAllServers(d.servers())
        .addAllSearches(d.searches())
        .addAllOptions(d.options())
        .build();
  }

  static io.berth.cri.v1.PortMapping toProto(PortMapping p) {
    var protocol =
        switch (p.protocol()) {
          case TCP -> Protocol.TCP;
          case UDP -> Protocol.UDP;
          case SCTP -> Protocol.SCTP;
        };
    return io.berth.cri.v1.PortMapping.newBuilder()
        .setProtocol(protocol)
        .setContainerPort(p.containerPort())
        .setHostPort(p.hostPort())
        .setHostIp(p.hostIp())
        .build();
  }

  static LinuxPodSandboxConfig toProto(LinuxSandboxConfig l) {
    return LinuxPodSandboxConfig.newBuilder()
        .setCgroupParent(l.cgroupParent())
        .setSecurityContext(toProto(l.securityContext()))
        .putAllSysctls(l.sysctls())
        .build();
  }

  static LinuxSandboxSecurityContext toProto(SandboxSecurityContext s) {
    var b =
        LinuxSandboxSecurityContext.newBuilder()
            .setNamespaceOptions(CommonMapping.toProto(s.namespaceOptions()))
            .setReadonlyRootfs(s.readonlyRootfs())
            .addAllSupplementalGroups(s.supplementalGroups())
            .setPrivileged(s.privileged());
    if (s.runAsUser() != null) {
      b.setRunAsUser(int64(s.runAsUser()));
    }
    if (s.runAsGroup() != null) {
      b.setRunAsGroup(int64(s.runAsGroup()));
    }
    if (s.seccomp() != null) {
      b.setSeccomp(CommonMapping.toProto(s.seccomp()));
    }
    return b.build();
  }

  static PodSandboxStatus sandboxStatus(PodSandboxStatusResponse r) {
    var s = r.getStatus();
    NamespaceOptions namespaces =
        s.hasLinux() && s.getLinux().hasNamespaces() && s.getLinux().getNamespaces().hasOptions()
            ? CommonMapping.fromProto(s.getLinux().getNamespaces().getOptions())
            : null;
    return new PodSandboxStatus(
        s.getId(),
        CommonMapping.fromProto(s.getMetadata()),
        fromProto(s.getState()),
        instant(s.getCreatedAt()),
        s.getNetwork().getIp(),
        s.getNetwork().getAdditionalIpsList().stream().map(PodIP::getIp).toList(),
        namespaces,
        s.getLabelsMap(),
        s.getAnnotationsMap(),
        s.getRuntimeHandler(),
        r.getInfoMap());
  }

  static PodSandbox podSandbox(io.berth.cri.v1.PodSandbox p) {
    return new PodSandbox(
        p.getId(),
        CommonMapping.fromProto(p.getMetadata()),
        fromProto(p.getState()),
        instant(p.getCreatedAt()),
        p.getLabelsMap(),
        p.getAnnotationsMap(),
        p.getRuntimeHandler());
  }

  static PodSandboxState fromProto(io.berth.cri.v1.PodSandboxState state) {
    return switch (state) {
      case SANDBOX_READY -> PodSandboxState.READY;
      case SANDBOX_NOTREADY, UNRECOGNIZED -> PodSandboxState.NOT_READY;
    };
  }

  static io.berth.cri.v1.PodSandboxState toProto(PodSandboxState state) {
    return switch (state) {
      case READY -> io.berth.cri.v1.PodSandboxState.SANDBOX_READY;
      case NOT_READY -> io.berth.cri.v1.PodSandboxState.SANDBOX_NOTREADY;
    };
  }

  static io.berth.cri.v1.PodSandboxFilter toProto(PodSandboxFilter f) {
    var b =
        io.berth.cri.v1.PodSandboxFilter.newBuilder()
            .setId(f.id())
            .putAllLabelSelector(f.labelSelector());
    if (f.state() != null) {
      b.setState(PodSandboxStateValue.newBuilder().setState(toProto(f.state())));
    }
    return b.build();
  }
}
