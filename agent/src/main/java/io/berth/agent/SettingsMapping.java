package io.berth.agent;

import io.berth.agent.nodeconfig.BerthConfig;
import io.berth.agent.nodeconfig.KubeletConfig;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The one place where the config file and the command-line flags become {@link NodeAgent.Settings}:
 * each setting is the flag when given, else the file's field, else the kubelet's default.
 *
 * <p>One difference from the kubelet, kept from berth's first flags: {@code --cgroup-root} names
 * the pods' cgroup root itself, while the file's {@code cgroupRoot} is the node's root cgroup with
 * pods under {@code <cgroupRoot>/kubepods}, as the kubelet's cgroupsPerQOS.
 */
final class SettingsMapping {
  private SettingsMapping() {}

  /** What was given on the command line; empty where the flag was not given. */
  record Flags(
      Optional<String> runtimeEndpoint,
      Optional<InetAddress> address,
      Optional<Integer> port,
      Optional<String> nodeName,
      Optional<Path> rootDir,
      Optional<Path> podManifestPath,
      Optional<String> podCgroupRoot,
      Optional<Path> podLogsDir,
      Optional<URI> manifestUrl) {}

  static NodeAgent.Settings settings(BerthConfig config, Flags flags) {
    KubeletConfig k = config.kubelet();
    return new NodeAgent.Settings(
            flags.runtimeEndpoint().orElse(k.containerRuntimeEndpoint()),
            new InetSocketAddress(
                flags.address().orElse(k.healthzBindAddress()),
                flags.port().orElse(k.healthzPort())),
            flags.nodeName().orElseGet(RunCommand::defaultNodeName),
            flags.rootDir().orElse(Path.of("/var/lib/berth")),
            Duration.ofSeconds(1),
            flags.podManifestPath().orElse(k.staticPodPath()),
            flags.podCgroupRoot().orElse(k.podCgroupRoot()),
            flags.podLogsDir().orElse(k.podLogsDir()),
            flags.manifestUrl().orElse(k.staticPodURL()))
        .withTuning(
            new NodeAgent.Tuning(
                k.fileCheckFrequency(),
                k.httpCheckFrequency(),
                k.clusterDNS(),
                k.clusterDomain(),
                k.resolvConf(),
                config.proxy(),
                k.maxPods(),
                k.allowedUnsafeSysctls(),
                config.apiServer()))
        .withNodeRegistration(config.node())
        .withRuntimeHousekeeping(
            config.containerLogs().housekeeping().withImageGc(config.imageGc().policy()));
  }
}
