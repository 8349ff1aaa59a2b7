package io.berth.agent;

import io.berth.agent.nodeconfig.BerthConfig;
import io.berth.agent.nodeconfig.ConfigFile;
import io.berth.agent.nodeconfig.ConfigProblem;
import io.berth.agent.nodeconfig.KubeProxyConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code berth run}: the daemon. Runs until SIGTERM/SIGINT, then stops cleanly (pods stay up). */
final class RunCommand {
  private RunCommand() {}

  static NodeAgent.Settings settings(CommandLine cmd) {
    cmd.accepting(
        "config",
        "log-format",
        "container-runtime-endpoint",
        "address",
        "port",
        "node-name",
        "root-dir",
        "pod-manifest-path",
        "cgroup-root",
        "pod-logs-dir",
        "manifest-url",
        "static-object-dir",
        "service-dir",
        "proxy-mode",
        "cluster-cidr",
        "nodeport-addresses",
        "proxy-healthz-bind-address",
        "proxy-sync-period",
        "proxy-min-sync-period",
        "kubeconfig",
        "node-api",
        "node-api-address",
        "node-api-port",
        "tls-cert-file",
        "tls-private-key-file",
        "client-ca-file",
        "anonymous-auth",
        "authentication-token-webhook",
        "authorization-mode",
        "node-log-dir");
    BerthConfig config = BerthConfig.defaults();
    String file = cmd.value("config", "");
    Optional<KubeProxyConfig> proxyFile = Optional.empty();
    if (!file.isEmpty()) {
      config = ConfigFile.load(Path.of(file));
      Logger log = LoggerFactory.getLogger(RunCommand.class);
      for (ConfigProblem w : config.warnings()) {
        log.warn("config {}: {}", file, w);
      }
      proxyFile = Optional.of(config.proxy());
    }
    NodeAgent.Settings settings =
        SettingsMapping.settings(config, flags(cmd))
            .withStaticObjectDir(optionalPath(cmd, "static-object-dir"))
            .withKubeconfig(optionalPath(cmd, "kubeconfig"))
            .withProxy(ProxyFlags.settings(cmd, optionalPath(cmd, "service-dir"), proxyFile))
            .withShutdown(shutdown(config, System.getenv("DBUS_SYSTEM_BUS_ADDRESS")));
    return settings.withNodeServer(
        NodeApiFlags.settings(
            cmd, settings.rootDir(), settings.kubeconfig() != null, config.nodeServer()));
  }

  /** Graceful node shutdown from the config file, on the system bus ($DBUS_SYSTEM_BUS_ADDRESS). */
  static io.berth.agent.shutdown.NodeShutdownSettings shutdown(BerthConfig c, String bus) {
    return new io.berth.agent.shutdown.NodeShutdownSettings(
        c.shutdown().shutdownGracePeriod(),
        c.shutdown().shutdownGracePeriodCriticalPods(),
        bus == null || bus.isEmpty() ? io.berth.agent.dbus.DbusConnection.SYSTEM_BUS : bus,
        c.shutdown().shutdownGracePeriodByPodPriority().stream()
            .map(
                g ->
                    new io.berth.agent.shutdown.ShutdownGroup(
                        g.priority(), java.time.Duration.ofSeconds(g.shutdownGracePeriodSeconds())))
            .toList());
  }

  /** The flags given, validated; a bad one is a usage error naming the flag. */
  static SettingsMapping.Flags flags(CommandLine cmd) {
    Optional<InetAddress> address = Optional.empty();
    if (cmd.options().containsKey("address")) {
      String v = cmd.value("address", "");
      try {
        address = Optional.of(InetAddress.getByName(v));
      } catch (UnknownHostException e) {
        throw new UsageException("option --address must be an IP address, got '" + v + "'");
      }
    }
    return new SettingsMapping.Flags(
        Optional.ofNullable(cmd.options().get("container-runtime-endpoint")),
        address,
        cmd.options().containsKey("port")
            ? Optional.of(cmd.port("port", BerthMain.DEFAULT_PORT))
            : Optional.empty(),
        Optional.ofNullable(cmd.options().get("node-name")),
        Optional.ofNullable(cmd.options().get("root-dir")).map(Path::of),
        Optional.ofNullable(optionalPath(cmd, "pod-manifest-path")),
        Optional.ofNullable(cmd.options().get("cgroup-root")).map(RunCommand::cgroupRoot),
        Optional.ofNullable(cmd.options().get("pod-logs-dir")).map(Path::of),
        Optional.ofNullable(manifestUrl(cmd.value("manifest-url", ""))));
  }

  /** The kubelet's {@code --manifest-url}: an http(s) URL, or none when empty. */
  static java.net.URI manifestUrl(String value) {
    if (value.isEmpty()) {
      return null;
    }
    try {
      java.net.URI uri = new java.net.URI(value);
      if ((!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()))
          || uri.getHost() == null) {
        throw new UsageException(
            "option --manifest-url must be an http(s) URL, got '" + value + "'");
      }
      return uri;
    } catch (java.net.URISyntaxException e) {
      throw new UsageException("option --manifest-url is not a URL: " + e.getMessage());
    }
  }

  static Path optionalPath(CommandLine cmd, String name) {
    String v = cmd.value(name, "");
    if (v.isEmpty()) {
      return null;
    }
    Path p = Path.of(v);
    if (!p.isAbsolute()) {
      throw new UsageException("option --" + name + " must be an absolute path, got '" + v + "'");
    }
    return p;
  }

  private static String cgroupRoot(String v) {
    if (!v.startsWith("/")) {
      throw new UsageException(
          "option --cgroup-root must be an absolute cgroup path, got '" + v + "'");
    }
    return v;
  }

  /** The kubelet's default: the host name, lower-cased. */
  static String defaultNodeName() {
    try {
      return InetAddress.getLocalHost().getHostName().toLowerCase(Locale.ROOT);
    } catch (UnknownHostException e) {
      return "localhost";
    }
  }

  static int run(NodeAgent.Settings settings) {
    NodeAgent agent = new NodeAgent(settings, Clock.systemUTC(), System.getenv());
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            Thread.ofPlatform()
                .name("berth-shutdown")
                .unstarted(
                    () -> {
                      agent.close();
                      stopped.countDown();
                    }));
    try {
      agent.start();
    } catch (IOException e) {
      throw new UncheckedIOException("berth could not start: " + e.getMessage(), e);
    } catch (IllegalStateException e) {
      throw new UsageException(e.getMessage());
    }
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }
}
