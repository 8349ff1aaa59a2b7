package io.berth.agent;

import io.berth.agent.nodeconfig.KubeProxyConfig;
import io.berth.agent.proxy.ProxyMode;
import io.berth.agent.proxy.ServiceProxySettings;
import io.berth.netfilter.model.Cidr;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code berth run}'s Service proxy flags, named as kube-proxy's where one exists. */
final class ProxyFlags {
  private ProxyFlags() {}

  static ServiceProxySettings settings(CommandLine cmd, Path serviceDir) {
    return settings(cmd, serviceDir, Optional.empty());
  }

  /**
   * The proxy settings: each flag when given, else the config file's {@code KubeProxyConfiguration}
   * field when a file was given, else berth's default.
   */
  static ServiceProxySettings settings(
      CommandLine cmd, Path serviceDir, Optional<KubeProxyConfig> file) {
    ServiceProxySettings d = file.map(ProxyFlags::fromFile).orElse(ServiceProxySettings.off());
    ProxyMode mode;
    try {
      mode = ProxyMode.parse(cmd.value("proxy-mode", d.mode().flag()));
    } catch (IllegalArgumentException e) {
      throw new UsageException("option --proxy-mode: " + e.getMessage());
    }
    Duration sync = duration(cmd, "proxy-sync-period", d.syncPeriod());
    Duration minSync = duration(cmd, "proxy-min-sync-period", d.minSyncPeriod());
    try {
      return new ServiceProxySettings(
          mode,
          serviceDir,
          cmd.options().containsKey("cluster-cidr") ? cidrs(cmd, "cluster-cidr") : d.clusterCidrs(),
          cmd.options().containsKey("nodeport-addresses")
              ? cidrs(cmd, "nodeport-addresses")
              : d.nodePortAddresses(),
          hostPort(cmd, "proxy-healthz-bind-address", d.healthzAddress()),
          sync,
          minSync);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }

  /** The file's fields as proxy settings (its mode: nftables, also when empty, or iptables). */
  static ServiceProxySettings fromFile(KubeProxyConfig f) {
    return new ServiceProxySettings(
        f.mode().equals("iptables") ? ProxyMode.IPTABLES : ProxyMode.NFTABLES,
        null,
        f.clusterCIDRs().stream().map(Cidr::parse).toList(),
        f.nodePortAddresses().stream().filter(a -> a.contains("/")).map(Cidr::parse).toList(),
        f.healthzBindAddress(),
        f.syncPeriod(),
        f.minSyncPeriod());
  }

  /** A comma-separated CIDR list such as {@code 10.244.0.0/16,fd00:10:244::/56}. */
  static List<Cidr> cidrs(CommandLine cmd, String name) {
    String v = cmd.value(name, "");
    List<Cidr> out = new ArrayList<>();
    for (String part : v.split(",")) {
      String t = part.strip();
      if (t.isEmpty()) {
        continue;
      }
      try {
        out.add(Cidr.parse(t));
      } catch (IllegalArgumentException e) {
        throw new UsageException(
            "option --"
                + name
                + " must be a comma-separated list of CIDRs; '"
                + t
                + "': "
                + e.getMessage());
      }
    }
    return out;
  }

  /** {@code IP:PORT} or {@code [IPv6]:PORT}. */
  static InetSocketAddress hostPort(CommandLine cmd, String name, InetSocketAddress fallback) {
    String v = cmd.value(name, "");
    if (v.isEmpty()) {
      return fallback;
    }
    int colon = v.lastIndexOf(':');
    String host = colon < 0 ? "" : v.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    try {
      int port = Integer.parseInt(v.substring(colon + 1));
      if (colon <= 0 || port < 0 || port > 65535 || !host.matches("[0-9a-fA-F:.]+")) {
        throw new NumberFormatException();
      }
      return new InetSocketAddress(InetAddress.getByName(host), port);
    } catch (NumberFormatException | UnknownHostException e) {
      throw new UsageException(
          "option --" + name + " must be IP:PORT (e.g. 127.0.0.1:10256), got '" + v + "'");
    }
  }

  private static final Pattern GO_DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");

  /** A Go duration as kube-proxy's flags take it: {@code 30s}, {@code 1m30s}, {@code 500ms}. */
  static Duration duration(CommandLine cmd, String name, Duration fallback) {
    String v = cmd.value(name, "");
    if (v.isEmpty()) {
      return fallback;
    }
    Matcher m = GO_DURATION.matcher(v);
    Duration d = Duration.ZERO;
    int at = 0;
    while (m.find() && m.start() == at) {
      long n = Long.parseLong(m.group(1));
      d =
          d.plus(
              switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofHours(n);
              });
      at = m.end();
    }
    if (at != v.length() || at == 0) {
      throw new UsageException(
          "option --" + name + " must be a duration such as 30s, 1m or 500ms, got '" + v + "'");
    }
    return d;
  }
}
