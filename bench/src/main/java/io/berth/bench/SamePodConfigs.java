package io.berth.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.agent.config.ConfigSource;
import io.berth.agent.config.ManifestDecoder;
import io.berth.agent.config.StaticPodDefaults;
import io.berth.agent.kuberuntime.CgroupNames;
import io.berth.agent.kuberuntime.ContainerConfigs;
import io.berth.agent.kuberuntime.EnvResolver;
import io.berth.agent.kuberuntime.NodeContext;
import io.berth.agent.kuberuntime.PodDefaults;
import io.berth.agent.kuberuntime.RuntimeSettings;
import io.berth.agent.kuberuntime.SandboxConfigs;
import io.berth.agent.kuberuntime.SpecHash;
import io.berth.agent.pod.HostFacts;
import io.berth.agent.volume.LibcMounter;
import io.berth.agent.volume.PodVolumes;
import io.berth.agent.volume.ProjectedPayloads;
import io.berth.agent.volume.VolumeException;
import io.berth.cri.ContainerConfig;
import io.berth.cri.PodSandboxConfig;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The anchor's pods, built by berth's own config builders from the same manifest berth gets:
 * sandbox config (seccomp RuntimeDefault, DNS from the host's resolv.conf, the QoS pod cgroup as
 * parent, hostname, log directory) and container config (resources, OOM score, masked paths,
 * managed {@code /etc/hosts} and termination-log mounts). So "raw CRI" means the same CRI requests
 * berth sends, made directly — what is left between the two sides is berth's own work.
 *
 * <p>All of this runs before the anchor's clock starts: the anchor's time is RunPodSandbox +
 * CreateContainer + StartContainer only. The {@code io.kubernetes.*} labels are dropped, since
 * berth, like the kubelet, owns every labelled pod in the runtime and would remove the anchor's as
 * orphans.
 */
final class SamePodConfigs {
  /** The two requests of one anchor pod. */
  record Requests(PodSandboxConfig sandbox, ContainerConfig container) {}

  private final ManifestDecoder decoder = new ManifestDecoder();
  private final StaticPodDefaults staticDefaults;
  private final SandboxConfigs sandboxes;
  private final ContainerConfigs containers;
  private final PodVolumes volumes;

  SamePodConfigs(String nodeName, Path rootDir, String cgroupRoot, Path podLogRoot) {
    NodeContext node = HostFacts.nodeContext(nodeName);
    var objects = io.berth.agent.kuberuntime.ConfigSource.NONE;
    RuntimeSettings settings =
        new RuntimeSettings(
            podLogRoot.toString(),
            new CgroupNames(cgroupRoot),
            null,
            "cluster.local",
            HostFacts.resolvConf(Path.of("/etc/resolv.conf")));
    this.staticDefaults = new StaticPodDefaults(nodeName, decoder);
    this.sandboxes = new SandboxConfigs(settings);
    this.containers =
        new ContainerConfigs(
            node, objects, new SpecHash(), new ObjectMapper(), rootDir.resolve("seccomp"));
    this.volumes =
        new PodVolumes(
            rootDir,
            Clock.systemUTC(),
            new ProjectedPayloads(objects, new EnvResolver(node, objects)),
            new LibcMounter(),
            settings.clusterDomain(),
            Path.of("/etc/hosts"));
  }

  /**
   * berth's requests for the one-container pod in {@code manifest}; sets up its pod directory
   * (hosts file, termination-log file) as berth would.
   */
  Requests forManifest(String manifest, String imageRef, String location) throws VolumeException {
    if (!(decoder.decode(manifest.getBytes(StandardCharsets.UTF_8), false)
        instanceof ManifestDecoder.Result.Decoded decoded)) {
      throw new IllegalArgumentException("anchor manifest does not decode: " + manifest);
    }
    Pod pod = decoded.pods().get(0);
    staticDefaults.apply(pod, ConfigSource.FILE, location);
    pod = PodDefaults.apply(pod);
    PodSandboxConfig sandbox = unowned(sandboxes.generate(pod, 0));
    Container c = pod.getSpec().getContainers().get(0);
    Map<String, PodVolumes.VolumeDir> dirs = volumes.setUp(pod);
    Pod p = pod;
    var mounts =
        volumes.containerMounts(
            pod, c, dirs, () -> containers.environment(p, c, List.of(), Map.of()), List.of());
    ContainerConfig container =
        unowned(
            containers.generate(
                pod,
                c,
                new ContainerConfigs.StartContext(0, imageRef, List.of(), Map.of(), mounts)));
    return new Requests(sandbox, container);
  }

  /** Removes the anchor pods' directories. */
  void tearDown(String uid) throws VolumeException {
    volumes.tearDown(uid);
  }

  private static Map<String, String> withoutKubernetesLabels(Map<String, String> labels) {
    var copy = new HashMap<>(labels);
    copy.keySet().removeIf(k -> k.startsWith("io.kubernetes."));
    return copy;
  }

  private static PodSandboxConfig unowned(PodSandboxConfig c) {
    return new PodSandboxConfig(
        c.metadata(),
        c.hostname(),
        c.logDirectory(),
        c.dnsConfig(),
        c.portMappings(),
        withoutKubernetesLabels(c.labels()),
        c.annotations(),
        c.linux());
  }

  private static ContainerConfig unowned(ContainerConfig c) {
    return new ContainerConfig(
        c.metadata(),
        c.image(),
        c.command(),
        c.args(),
        c.workingDir(),
        c.envs(),
        c.mounts(),
        c.devices(),
        withoutKubernetesLabels(c.labels()),
        c.annotations(),
        c.logPath(),
        c.stdin(),
        c.stdinOnce(),
        c.tty(),
        c.resources(),
        c.securityContext());
  }
}
