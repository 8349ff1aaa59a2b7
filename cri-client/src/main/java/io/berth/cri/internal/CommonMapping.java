package io.berth.cri.internal;

import io.berth.cri.ContainerMetadata;
import io.berth.cri.ImageSpec;
import io.berth.cri.LinuxContainerResources;
import io.berth.cri.Mount;
import io.berth.cri.NamespaceMode;
import io.berth.cri.NamespaceOptions;
import io.berth.cri.PodSandboxMetadata;
import io.berth.cri.SecurityProfile;
import io.berth.cri.v1.HugepageLimit;
import io.berth.cri.v1.Int64Value;
import io.berth.cri.v1.MountPropagation;
import io.berth.cri.v1.NamespaceOption;
import io.berth.cri.v1.UInt64Value;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Record ⇄ proto mapping shared by all areas: times, metadata, namespaces, image specs, mounts,
 * resources, optional numbers.
 */
final class CommonMapping {
  private static final long NANOS_PER_SECOND = 1_000_000_000L;

  private CommonMapping() {}

  // ---- times: CRI carries nanoseconds since the epoch in an int64; 0 means "not set" ----

  static Instant instant(long epochNanos) {
    if (epochNanos == 0) {
      return null;
    }
    return Instant.ofEpochSecond(
        Math.floorDiv(epochNanos, NANOS_PER_SECOND), Math.floorMod(epochNanos, NANOS_PER_SECOND));
  }

  static long epochNanos(Instant instant) {
    if (instant == null) {
      return 0;
    }
    return Math.addExact(
        Math.multiplyExact(instant.getEpochSecond(), NANOS_PER_SECOND), instant.getNano());
  }

  // ---- optional numbers ----

  static Long value(boolean present, UInt64Value v) {
    return present ? v.getValue() : null;
  }

  static Long value(boolean present, Int64Value v) {
    return present ? v.getValue() : null;
  }

  static Int64Value int64(long v) {
    return Int64Value.newBuilder().setValue(v).build();
  }

  static UInt64Value uint64(Long v) {
    return UInt64Value.newBuilder().setValue(v).build();
  }

  // ---- metadata ----

  static io.berth.cri.v1.PodSandboxMetadata toProto(PodSandboxMetadata m) {
    return io.berth.cri.v1.PodSandboxMetadata.newBuilder()
        .setName(m.name())
        .setUid(m.uid())
        .setNamespace(m.namespace())
        .setAttempt(m.attempt())
        .build();
  }

  static PodSandboxMetadata fromProto(io.berth.cri.v1.PodSandboxMetadata m) {
    return new PodSandboxMetadata(m.getName(), m.getUid(), m.getNamespace(), m.getAttempt());
  }

  static io.berth.cri.v1.ContainerMetadata toProto(ContainerMetadata m) {
    return io.berth.cri.v1.ContainerMetadata.newBuilder()
        .setName(m.name())
        .setAttempt(m.attempt())
        .build();
  }

  static ContainerMetadata fromProto(io.berth.cri.v1.ContainerMetadata m) {
    return new ContainerMetadata(m.getName(), m.getAttempt());
  }

  // ---- namespaces and security profiles ----

  static NamespaceOption toProto(NamespaceOptions o) {
    return NamespaceOption.newBuilder()
        .setNetwork(toProto(o.network()))
        .setPid(toProto(o.pid()))
        .setIpc(toProto(o.ipc()))
        .setTargetId(o.targetId())
        .build();
  }

  static NamespaceOptions fromProto(NamespaceOption o) {
    return new NamespaceOptions(
        fromProto(o.getNetwork()), fromProto(o.getPid()), fromProto(o.getIpc()), o.getTargetId());
  }

  static io.berth.cri.v1.NamespaceMode toProto(NamespaceMode mode) {
    return switch (mode) {
      case POD -> io.berth.cri.v1.NamespaceMode.POD;
      case CONTAINER -> io.berth.cri.v1.NamespaceMode.CONTAINER;
      case NODE -> io.berth.cri.v1.NamespaceMode.NODE;
      case TARGET -> io.berth.cri.v1.NamespaceMode.TARGET;
    };
  }

  static NamespaceMode fromProto(io.berth.cri.v1.NamespaceMode mode) {
    return switch (mode) {
      case POD, UNRECOGNIZED -> NamespaceMode.POD;
      case CONTAINER -> NamespaceMode.CONTAINER;
      case NODE -> NamespaceMode.NODE;
      case TARGET -> NamespaceMode.TARGET;
    };
  }

  static io.berth.cri.v1.SecurityProfile toProto(SecurityProfile p) {
    var type =
        switch (p.type()) {
          case RUNTIME_DEFAULT -> io.berth.cri.v1.SecurityProfile.ProfileType.RuntimeDefault;
          case UNCONFINED -> io.berth.cri.v1.SecurityProfile.ProfileType.Unconfined;
          case LOCALHOST -> io.berth.cri.v1.SecurityProfile.ProfileType.Localhost;
        };
    return io.berth.cri.v1.SecurityProfile.newBuilder()
        .setProfileType(type)
        .setLocalhostRef(p.localhostRef())
        .build();
  }

  // ---- images ----

  static io.berth.cri.v1.ImageSpec toProto(ImageSpec spec) {
    return io.berth.cri.v1.ImageSpec.newBuilder()
        .setImage(spec.image())
        .putAllAnnotations(spec.annotations())
        .build();
  }

  static ImageSpec fromProto(io.berth.cri.v1.ImageSpec spec) {
    return new ImageSpec(spec.getImage(), spec.getAnnotationsMap());
  }

  // ---- mounts ----

  static io.berth.cri.v1.Mount toProto(Mount m) {
    var propagation =
        switch (m.propagation()) {
          case PRIVATE -> MountPropagation.PROPAGATION_PRIVATE;
          case HOST_TO_CONTAINER -> MountPropagation.PROPAGATION_HOST_TO_CONTAINER;
          case BIDIRECTIONAL -> MountPropagation.PROPAGATION_BIDIRECTIONAL;
        };
    return io.berth.cri.v1.Mount.newBuilder()
        .setContainerPath(m.containerPath())
        .setHostPath(m.hostPath())
        .setReadonly(m.readonly())
        .setSelinuxRelabel(m.selinuxRelabel())
        .setPropagation(propagation)
        .build();
  }

  static Mount fromProto(io.berth.cri.v1.Mount m) {
    var propagation =
        switch (m.getPropagation()) {
          case PROPAGATION_PRIVATE, UNRECOGNIZED -> Mount.Propagation.PRIVATE;
          case PROPAGATION_HOST_TO_CONTAINER -> Mount.Propagation.HOST_TO_CONTAINER;
          case PROPAGATION_BIDIRECTIONAL -> Mount.Propagation.BIDIRECTIONAL;
        };
    return new Mount(
        m.getContainerPath(), m.getHostPath(), m.getReadonly(), m.getSelinuxRelabel(), propagation);
  }

  static List<Mount> mountsFromProto(List<io.berth.cri.v1.Mount> mounts) {
    return mounts.stream().map(CommonMapping::fromProto).toList();
  }

  // ---- resources ----

  static io.berth.cri.v1.LinuxContainerResources toProto(LinuxContainerResources r) {
    var b =
        io.berth.cri.v1.LinuxContainerResources.newBuilder()
            .setCpuPeriod(r.cpuPeriod())
            .setCpuQuota(r.cpuQuota())
            .setCpuShares(r.cpuShares())
            .setMemoryLimitInBytes(r.memoryLimitInBytes())
            .setOomScoreAdj(r.oomScoreAdj())
            .setCpusetCpus(r.cpusetCpus())
            .setCpusetMems(r.cpusetMems())
            .putAllUnified(r.unified())
            .setMemorySwapLimitInBytes(r.memorySwapLimitInBytes());
    r.hugepageLimits()
        .forEach(
            (size, limit) ->
                b.addHugepageLimits(
                    HugepageLimit.newBuilder().setPageSize(size).setLimit(limit).build()));
    return b.build();
  }

  static LinuxContainerResources fromProto(io.berth.cri.v1.LinuxContainerResources r) {
    Map<String, Long> hugepages = new LinkedHashMap<>();
    r.getHugepageLimitsList().forEach(h -> hugepages.put(h.getPageSize(), h.getLimit()));
    return new LinuxContainerResources(
        r.getCpuPeriod(),
        r.getCpuQuota(),
        r.getCpuShares(),
        r.getMemoryLimitInBytes(),
        r.getOomScoreAdj(),
        r.getCpusetCpus(),
        r.getCpusetMems(),
        hugepages,
        r.getUnifiedMap(),
        r.getMemorySwapLimitInBytes());
  }
}
