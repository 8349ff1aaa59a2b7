package io.berth.agent.volume;

import io.berth.agent.kuberuntime.EnvExpansion;
import io.berth.cri.Mount;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EmptyDirVolumeSource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A pod's volumes on this node, the kubelet's volume manager for the plugins berth has.
 *
 * <pre>
 *   &lt;root&gt;/pods/&lt;uid&gt;/volumes/kubernetes.io~empty-dir/&lt;name&gt;    0777, tmpfs when medium: Memory
 *                          kubernetes.io~configmap/&lt;name&gt;    AtomicWriter, read-only mount
 *                          kubernetes.io~secret/&lt;name&gt;       tmpfs + AtomicWriter, read-only mount
 *                          kubernetes.io~downward-api/&lt;name&gt;  tmpfs + AtomicWriter, read-only mount
 *                          kubernetes.io~projected/&lt;name&gt;    tmpfs + AtomicWriter, read-only mount
 *   &lt;root&gt;/pods/&lt;uid&gt;/etc-hosts                           the managed /etc/hosts
 *   &lt;root&gt;/pods/&lt;uid&gt;/containers/&lt;name&gt;/&lt;id&gt;              termination message files
 * </pre>
 *
 * hostPath volumes are checked by {@link HostPathTypes} and used in place. {@link #setUp} is
 * idempotent and refreshes projected contents (a changed ConfigMap file appears through the {@code
 * ..data} swap); {@link #tearDown} unmounts and removes the pod's directory.
 *
 * <p>Thread safety: calls for one pod come from that pod's worker; different pods do not share
 * state.
 */
public final class PodVolumes {
  /** Where a volume lives on the host and whether its plugin forces read-only mounts. */
  public record VolumeDir(Path path, boolean readOnly) {}

  private final Path podsRoot;
  private final Clock clock;
  private final ProjectedPayloads payloads;
  private final Mounter mounter;
  private final String clusterDomain;
  private final Path nodeHostsFile;

  /**
   * @param rootDir berth's root directory; pods live under {@code rootDir/pods}
   * @param clusterDomain the cluster domain for pod FQDNs in /etc/hosts, null for none
   * @param nodeHostsFile the node's /etc/hosts, copied for hostNetwork pods
   */
  public PodVolumes(
      Path rootDir,
      Clock clock,
      ProjectedPayloads payloads,
      Mounter mounter,
      String clusterDomain,
      Path nodeHostsFile) {
    this.podsRoot = rootDir.resolve("pods");
    this.clock = clock;
    this.payloads = payloads;
    this.mounter = mounter;
    this.clusterDomain = clusterDomain;
    this.nodeHostsFile = nodeHostsFile;
  }

  /** The pod's directory. */
  public Path podDir(String uid) {
    return podsRoot.resolve(SafeName.check(uid));
  }

  /** Sets up every volume of {@code pod} (idempotent); volume name → its directory. */
  public Map<String, VolumeDir> setUp(Pod pod) throws VolumeException {
    Map<String, VolumeDir> dirs = new LinkedHashMap<>();
    String uid = pod.getMetadata().getUid();
    OptionalInt fsGroup = fsGroup(pod);
    List<Volume> volumes =
        pod.getSpec().getVolumes() == null ? List.of() : pod.getSpec().getVolumes();
    for (Volume v : volumes) {
      dirs.put(v.getName(), setUpOne(pod, uid, v, fsGroup));
    }
    return dirs;
  }

  private VolumeDir setUpOne(Pod pod, String uid, Volume v, OptionalInt fsGroup)
      throws VolumeException {
    String name = v.getName();
    if (v.getHostPath() != null) {
      Path p = Path.of(v.getHostPath().getPath());
      if (!p.isAbsolute()) {
        throw new VolumeException("hostPath volume \"" + name + "\": path must be absolute");
      }
      HostPathTypes.check(name, p, v.getHostPath().getType());
      return new VolumeDir(p, false);
    }
    try {
      if (v.getEmptyDir() != null) {
        Path dir = volumeDir(uid, "empty-dir", name);
        boolean fresh = !Files.isDirectory(dir);
        Files.createDirectories(dir);
        if ("Memory".equals(v.getEmptyDir().getMedium())) {
          ensureTmpfs(dir, sizeLimit(pod, v.getEmptyDir()));
        } else if (v.getEmptyDir().getMedium() != null && !v.getEmptyDir().getMedium().isEmpty()) {
          throw new VolumeException(
              "emptyDir volume \""
                  + name
                  + "\": unknown medium \""
                  + v.getEmptyDir().getMedium()
                  + "\"");
        }
        if (fresh || fsGroup.isPresent()) {
          Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
          if (fsGroup.isPresent()) {
            Files.setAttribute(dir, "unix:gid", fsGroup.getAsInt());
            Files.setAttribute(dir, "unix:mode", 02777);
          }
        }
        return new VolumeDir(dir, false);
      }
      if (v.getConfigMap() != null) {
        Path dir = volumeDir(uid, "configmap", name);
        write(dir, payloads.configMap(pod, name, v.getConfigMap()), fsGroup);
        return new VolumeDir(dir, true);
      }
      if (v.getSecret() != null) {
        return inMemory(
            volumeDir(uid, "secret", name), payloads.secret(pod, name, v.getSecret()), fsGroup);
      }
      if (v.getDownwardAPI() != null) {
        return inMemory(
            volumeDir(uid, "downward-api", name),
            payloads.downwardApi(pod, name, v.getDownwardAPI()),
            fsGroup);
      }
      if (v.getProjected() != null) {
        return inMemory(
            volumeDir(uid, "projected", name),
            payloads.projected(pod, name, v.getProjected()),
            fsGroup);
      }
    } catch (IOException e) {
      throw new VolumeException("volume \"" + name + "\": " + e.getMessage(), e);
    }
    throw new VolumeException(
        "volume \"" + name + "\": this volume type is not supported by berth");
  }

  /** A read-only volume whose files live on tmpfs only (secrets, downward API, projected). */
  private VolumeDir inMemory(Path dir, Map<String, FileProjection> payload, OptionalInt fsGroup)
      throws IOException, VolumeException {
    ensureTmpfs(dir, OptionalLong.empty());
    write(dir, payload, fsGroup);
    return new VolumeDir(dir, true);
  }

  private void write(Path dir, Map<String, FileProjection> payload, OptionalInt fsGroup)
      throws VolumeException {
    Map<String, FileProjection> files = payload;
    if (fsGroup.isPresent()) {
      files = new LinkedHashMap<>();
      for (Map.Entry<String, FileProjection> e : payload.entrySet()) {
        files.put(e.getKey(), new FileProjection(e.getValue().data(), e.getValue().mode() | 0440));
      }
    }
    new AtomicWriter(dir, clock, fsGroup).write(files);
  }

  private void ensureTmpfs(Path dir, OptionalLong size) throws IOException {
    Files.createDirectories(dir);
    if (!mounter.isMountPoint(dir)) {
      mounter.mountTmpfs(dir, size);
    }
  }

  /**
   * The CRI mounts of one container start: its volumeMounts (subPath / subPathExpr resolved inside
   * the volume), the managed /etc/hosts unless the container mounts its own, and a fresh
   * termination message file.
   *
   * @param dirs what {@link #setUp} returned for the pod
   * @param env the container's resolved environment, for {@code subPathExpr}; asked for only when a
   *     mount has one
   */
  public List<Mount> containerMounts(
      Pod pod,
      Container c,
      Map<String, VolumeDir> dirs,
      java.util.function.Supplier<Map<String, String>> env,
      List<String> podIps)
      throws VolumeException {
    List<Mount> mounts = new ArrayList<>();
    Set<String> targets = new TreeSet<>();
    String cname = c.getName();
    for (VolumeMount vm :
        c.getVolumeMounts() == null ? List.<VolumeMount>of() : c.getVolumeMounts()) {
      VolumeDir dir = dirs.get(vm.getName());
      if (dir == null) {
        throw new VolumeException(
            "container \""
                + cname
                + "\": volumeMount refers to unknown volume \""
                + vm.getName()
                + "\"");
      }
      Path host = dir.path();
      String sub = subPath(cname, vm, env);
      if (!sub.isEmpty()) {
        host = resolveSubPath(cname, vm.getName(), dir.path(), sub);
      }
      boolean ro = Boolean.TRUE.equals(vm.getReadOnly()) || dir.readOnly();
      mounts.add(new Mount(vm.getMountPath(), host.toString(), ro, false, propagation(cname, vm)));
      targets.add(vm.getMountPath());
    }
    try {
      Path podDir = podDir(pod.getMetadata().getUid());
      Files.createDirectories(podDir);
      boolean hostNetwork = Boolean.TRUE.equals(pod.getSpec().getHostNetwork());
      if (!targets.contains("/etc/hosts") && (hostNetwork || !podIps.isEmpty())) {
        Path hosts = podDir.resolve("etc-hosts");
        String content =
            hostNetwork
                ? HostsFile.hostNetwork(nodeHosts(), pod)
                : HostsFile.managed(pod, podIps, clusterDomain);
        Files.writeString(hosts, content, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(hosts, PosixFilePermissions.fromString("rw-r--r--"));
        mounts.add(Mount.bind(hosts.toString(), "/etc/hosts", false));
      }
      String tmp = c.getTerminationMessagePath();
      if (tmp != null && !tmp.isEmpty() && !targets.contains(tmp)) {
        Path dir = podDir.resolve("containers").resolve(SafeName.check(cname));
        Files.createDirectories(dir);
        Path file = dir.resolve(HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()));
        Files.write(file, new byte[0]);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-rw-rw-"));
        mounts.add(Mount.bind(file.toString(), tmp, false));
      }
    } catch (IOException e) {
      throw new VolumeException("container \"" + cname + "\": " + e.getMessage(), e);
    }
    return mounts;
  }

  private String nodeHosts() throws IOException {
    return Files.exists(nodeHostsFile) ? Files.readString(nodeHostsFile) : "";
  }

  private static String subPath(
      String cname, VolumeMount vm, java.util.function.Supplier<Map<String, String>> env)
      throws VolumeException {
    String expr = vm.getSubPathExpr();
    if (expr != null && !expr.isEmpty()) {
      String expanded = EnvExpansion.expand(expr, EnvExpansion.mappingFor(env.get()));
      if (expanded.contains("$(")) {
        throw new VolumeException(
            "container \""
                + cname
                + "\": subPathExpr \""
                + expr
                + "\" refers to an undefined variable");
      }
      return PayloadPaths.checkSubPath("container \"" + cname + "\" subPathExpr", expanded);
    }
    String sub = vm.getSubPath();
    return sub == null || sub.isEmpty()
        ? ""
        : PayloadPaths.checkSubPath("container \"" + cname + "\" subPath", sub);
  }

  /**
   * The subPath inside the volume, created as a directory when missing; refused when it (through
   * symlinks) leaves the volume.
   */
  static Path resolveSubPath(String cname, String volume, Path volumeDir, String sub)
      throws VolumeException {
    try {
      Path base = volumeDir.toRealPath();
      Path target = volumeDir.resolve(sub).normalize();
      if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS) && !Files.exists(target)) {
        // create missing parents one by one so a symlink cannot redirect the creation; each
        // gets the volume root's permissions, as the kubelet's SafeMakeDir does
        Object mode = Files.getAttribute(base, "unix:mode");
        Path p = base;
        for (Path element : base.relativize(base.resolve(sub).normalize())) {
          p = p.resolve(element);
          if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectory(p);
            Files.setAttribute(p, "unix:mode", mode, LinkOption.NOFOLLOW_LINKS);
          }
          if (!p.toRealPath().startsWith(base)) {
            throw new VolumeException(escape(cname, volume, sub));
          }
        }
      }
      Path real = target.toRealPath();
      if (!real.startsWith(base)) {
        throw new VolumeException(escape(cname, volume, sub));
      }
      return real;
    } catch (IOException e) {
      throw new VolumeException(
          "container \""
              + cname
              + "\": subPath \""
              + sub
              + "\" of volume \""
              + volume
              + "\": "
              + e.getMessage(),
          e);
    }
  }

  private static String escape(String cname, String volume, String sub) {
    return "container \""
        + cname
        + "\": subPath \""
        + sub
        + "\" of volume \""
        + volume
        + "\" resolves outside the volume";
  }

  private static Mount.Propagation propagation(String cname, VolumeMount vm)
      throws VolumeException {
    String p = vm.getMountPropagation();
    if (p == null || p.isEmpty() || p.equals("None")) {
      return Mount.Propagation.PRIVATE;
    }
    return switch (p) {
      case "HostToContainer" -> Mount.Propagation.HOST_TO_CONTAINER;
      case "Bidirectional" -> Mount.Propagation.BIDIRECTIONAL;
      default ->
          throw new VolumeException(
              "container \"" + cname + "\": unknown mountPropagation \"" + p + "\"");
    };
  }

  /** Unmounts the pod's tmpfs volumes and removes its directory; no-op when it has none. */
  public void tearDown(String uid) throws VolumeException {
    Path podDir = podDir(uid);
    if (!Files.exists(podDir, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try {
      Path volumes = podDir.resolve("volumes");
      if (Files.isDirectory(volumes)) {
        try (DirectoryStream<Path> plugins = Files.newDirectoryStream(volumes)) {
          for (Path plugin : plugins) {
            try (DirectoryStream<Path> vols = Files.newDirectoryStream(plugin)) {
              for (Path vol : vols) {
                mounter.unmount(vol);
                if (mounter.isMountPoint(vol)) {
                  throw new VolumeException(
                      "pod "
                          + uid
                          + ": "
                          + vol
                          + " is still mounted; not removing the pod directory");
                }
              }
            }
          }
        }
      }
      AtomicWriter.deleteTree(podDir);
    } catch (IOException e) {
      throw new VolumeException("pod " + uid + ": removing volumes: " + e.getMessage(), e);
    }
  }

  /**
   * Bytes used under each disk-backed emptyDir of {@code pod} that has a {@code sizeLimit} and is
   * over it, with the message the kubelet's eviction manager gives; empty when none is.
   */
  public Optional<String> emptyDirOverLimit(Pod pod) {
    List<Volume> volumes =
        pod.getSpec().getVolumes() == null ? List.of() : pod.getSpec().getVolumes();
    for (Volume v : volumes) {
      EmptyDirVolumeSource e = v.getEmptyDir();
      if (e == null || e.getSizeLimit() == null || "Memory".equals(e.getMedium())) {
        continue; // a memory-backed one is bounded by its tmpfs size
      }
      long limit = Quantity.getAmountInBytes(e.getSizeLimit()).longValue();
      Path dir;
      try {
        dir = volumeDir(pod.getMetadata().getUid(), "empty-dir", v.getName());
      } catch (VolumeException bad) {
        continue;
      }
      long used = diskUsage(dir);
      if (used > limit) {
        return Optional.of(
            "Usage of EmptyDir volume \""
                + v.getName()
                + "\" exceeds the limit \""
                + e.getSizeLimit().toString()
                + "\". ");
      }
    }
    return Optional.empty();
  }

  /** Allocated bytes of the files under {@code dir} (like {@code du}), without following links. */
  static long diskUsage(Path dir) {
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return 0;
    }
    long[] sum = {0};
    try (java.util.stream.Stream<Path> walk = Files.walk(dir)) {
      walk.forEach(
          p -> {
            try {
              if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                sum[0] += Files.size(p);
              }
            } catch (IOException gone) {
              // removed while walking
            }
          });
    } catch (IOException | java.io.UncheckedIOException e) {
      return sum[0];
    }
    return sum[0];
  }

  /** UIDs of pods that have a directory here (to clean up those no source knows). */
  public Set<String> podsOnDisk() throws IOException {
    Set<String> uids = new TreeSet<>();
    if (Files.isDirectory(podsRoot)) {
      try (DirectoryStream<Path> dirs = Files.newDirectoryStream(podsRoot)) {
        for (Path d : dirs) {
          uids.add(d.getFileName().toString());
        }
      }
    }
    return uids;
  }

  private Path volumeDir(String uid, String plugin, String name) throws VolumeException {
    return podDir(uid)
        .resolve("volumes")
        .resolve("kubernetes.io~" + plugin)
        .resolve(PayloadPaths.check("volume name", name));
  }

  private static OptionalInt fsGroup(Pod pod) {
    PodSecurityContext sc = pod.getSpec().getSecurityContext();
    return sc == null || sc.getFsGroup() == null
        ? OptionalInt.empty()
        : OptionalInt.of(sc.getFsGroup().intValue());
  }

  /**
   * tmpfs size of a memory-backed emptyDir: its sizeLimit, else the pod's memory limit when every
   * container has one (the kubelet's SizeMemoryBackedVolumes), else the kernel default.
   */
  static OptionalLong sizeLimit(Pod pod, EmptyDirVolumeSource src) {
    if (src.getSizeLimit() != null) {
      return OptionalLong.of(Quantity.getAmountInBytes(src.getSizeLimit()).longValue());
    }
    long sum = 0;
    for (Container c : pod.getSpec().getContainers()) {
      Quantity q =
          c.getResources() == null || c.getResources().getLimits() == null
              ? null
              : c.getResources().getLimits().get("memory");
      if (q == null) {
        return OptionalLong.empty();
      }
      sum += Quantity.getAmountInBytes(q).longValue();
    }
    return sum > 0 ? OptionalLong.of(sum) : OptionalLong.empty();
  }

  /** Pod UIDs and container names become directory names: one safe path element each. */
  private static final class SafeName {
    static String check(String element) {
      if (element == null
          || element.isEmpty()
          || element.contains("/")
          || element.startsWith(".")
          || element.indexOf('\0') >= 0) {
        throw new IllegalArgumentException("not a safe directory name: " + element);
      }
      return element;
    }
  }
}
