package io.berth.agent;

import io.berth.agent.kuberuntime.CgroupNames;
import io.berth.agent.kuberuntime.RuntimeSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;

/** {@code berth run}: the daemon. Runs until SIGTERM/SIGINT, then stops cleanly (pods stay up). */
final class RunCommand {
  private RunCommand() {}

  static NodeAgent.Settings settings(CommandLine cmd) {
    cmd.accepting(
        "container-runtime-endpoint",
        "address",
        "port",
        "node-name",
        "root-dir",
        "pod-manifest-path",
        "cgroup-root",
        "pod-logs-dir",
        "manifest-url",
        "kubeconfig");
    String address = cmd.value("address", "127.0.0.1");
    InetAddress ip;
    try {
      ip = InetAddress.getByName(address);
    } catch (UnknownHostException e) {
      throw new UsageException("option --address must be an IP address, got '" + address + "'");
    }
    return new NodeAgent.Settings(
        cmd.value("container-runtime-endpoint", BerthMain.DEFAULT_RUNTIME_ENDPOINT),
        new InetSocketAddress(ip, cmd.port("port", BerthMain.DEFAULT_PORT)),
        cmd.value("node-name", defaultNodeName()),
        Path.of(cmd.value("root-dir", "/var/lib/berth")),
        Duration.ofSeconds(1),
        optionalPath(cmd, "pod-manifest-path"),
        cgroupRoot(cmd.value("cgroup-root", CgroupNames.DEFAULT_ROOT)),
        Path.of(cmd.value("pod-logs-dir", RuntimeSettings.DEFAULT_POD_LOGS_ROOT)),
        manifestUrl(cmd.value("manifest-url", "")),
        optionalPath(cmd, "kubeconfig"));
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

  private static Path optionalPath(CommandLine cmd, String name) {
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
