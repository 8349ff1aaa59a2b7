package io.berth.agent.nodeconfig;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code KubeProxyConfiguration} (kubeproxy.config.k8s.io/v1alpha1) fields berth implements,
 * with kube-proxy's defaults. berth's proxier programs nftables or iptables, so {@code mode} is
 * {@code nftables} (also when empty) or {@code iptables}.
 *
 * @param mode {@code nftables} or {@code iptables}
 * @param clusterCIDRs pod CIDRs ({@code clusterCIDR}, comma-separated in the file); cluster-IP
 *     traffic from outside them is masqueraded
 * @param nodePortAddresses CIDRs (or {@code primary}) whose addresses accept NodePort traffic;
 *     empty: all
 * @param healthzBindAddress kube-proxy's health server, {@code 0.0.0.0:10256}
 * @param metricsBindAddress kube-proxy's metrics server, {@code 127.0.0.1:10249}
 * @param masqueradeAll SNAT every service connection ({@code nftables.masqueradeAll})
 * @param masqueradeBit the fwmark bit for masquerading ({@code nftables.masqueradeBit}, 14)
 * @param syncPeriod longest time between syncs ({@code nftables.syncPeriod}, 30 s)
 * @param minSyncPeriod shortest time between syncs once the burst is used ({@code
 *     nftables.minSyncPeriod}, 1 s)
 */
public record KubeProxyConfig(
    String mode,
    List<String> clusterCIDRs,
    List<String> nodePortAddresses,
    InetSocketAddress healthzBindAddress,
    InetSocketAddress metricsBindAddress,
    boolean masqueradeAll,
    int masqueradeBit,
    Duration syncPeriod,
    Duration minSyncPeriod) {
  public static final String API_VERSION = "kubeproxy.config.k8s.io/v1alpha1";
  public static final String KIND = "KubeProxyConfiguration";

  static final Map<String, String> NOT_SUPPORTED = notSupported();

  public KubeProxyConfig {
    clusterCIDRs = List.copyOf(clusterCIDRs);
    nodePortAddresses = List.copyOf(nodePortAddresses);
  }

  public static KubeProxyConfig defaults() {
    return new KubeProxyConfig(
        "nftables",
        List.of(),
        List.of(),
        new InetSocketAddress(KubeletConfig.ipAddress("0.0.0.0"), 10256),
        new InetSocketAddress(KubeletConfig.ipAddress("127.0.0.1"), 10249),
        false,
        14,
        Duration.ofSeconds(30),
        Duration.ofSeconds(1));
  }

  /** The fwmark of {@link #masqueradeBit}. */
  public int masqueradeMark() {
    return 1 << masqueradeBit;
  }

  static KubeProxyConfig read(FieldReader r) {
    KubeProxyConfig d = defaults();
    r.ignore("apiVersion", "kind");
    String mode = r.string("mode", "");
    if (!mode.isEmpty() && !mode.equals("nftables") && !mode.equals("iptables")) {
      r.error(
          "mode",
          "'"
              + mode
              + "' is not supported: berth programs nftables or iptables (its IPVS back end is"
              + " netlink encoding only, not usable for traffic)");
    }
    List<String> cidrs = new ArrayList<>();
    String clusterCidr = r.string("clusterCIDR", "");
    for (String c : clusterCidr.isBlank() ? new String[0] : clusterCidr.split(",")) {
      try {
        cidrs.add(cidr(c.strip()));
      } catch (IllegalArgumentException e) {
        r.error("clusterCIDR", e.getMessage());
      }
    }
    List<String> nodePorts = new ArrayList<>();
    List<String> given = r.strings("nodePortAddresses");
    for (int i = 0; i < given.size(); i++) {
      String v = given.get(i);
      try {
        nodePorts.add(v.equals("primary") ? v : cidr(v));
      } catch (IllegalArgumentException e) {
        r.error("nodePortAddresses[" + i + "]", e.getMessage() + " (or 'primary')");
      }
    }
    InetSocketAddress healthz =
        r.parsed("healthzBindAddress", d.healthzBindAddress(), KubeProxyConfig::hostPort);
    InetSocketAddress metrics =
        r.parsed("metricsBindAddress", d.metricsBindAddress(), KubeProxyConfig::hostPort);
    FieldReader nft = r.object("nftables");
    boolean masqueradeAll = nft.bool("masqueradeAll", d.masqueradeAll());
    int masqueradeBit = nft.integer("masqueradeBit", d.masqueradeBit(), 0, 31);
    Duration sync = nft.positiveDuration("syncPeriod", d.syncPeriod());
    Duration minSync = nft.duration("minSyncPeriod", d.minSyncPeriod());
    if (minSync.compareTo(sync) > 0) {
      nft.error(
          "minSyncPeriod",
          "must not exceed nftables.syncPeriod ("
              + GoDuration.format(sync)
              + "), got "
              + GoDuration.format(minSync));
      minSync = sync;
    }
    return new KubeProxyConfig(
        "nftables",
        cidrs,
        nodePorts,
        healthz,
        metrics,
        masqueradeAll,
        masqueradeBit,
        sync,
        minSync);
  }

  String toYaml() {
    Yaml y = new Yaml();
    y.line("apiVersion", API_VERSION);
    y.line("kind", KIND);
    y.line("clusterCIDR", String.join(",", clusterCIDRs));
    y.line("healthzBindAddress", hostPort(healthzBindAddress));
    y.line("metricsBindAddress", hostPort(metricsBindAddress));
    y.line("mode", mode);
    Yaml nft = y.object("nftables");
    nft.raw("masqueradeAll", masqueradeAll);
    nft.raw("masqueradeBit", masqueradeBit);
    nft.line("minSyncPeriod", GoDuration.format(minSyncPeriod));
    nft.line("syncPeriod", GoDuration.format(syncPeriod));
    y.list("nodePortAddresses", nodePortAddresses);
    return y.toString();
  }

  private static String hostPort(InetSocketAddress a) {
    String host = a.getAddress().getHostAddress();
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
  }

  /** {@code IP:port} or {@code [IPv6]:port}, as kube-proxy's bind addresses. */
  static InetSocketAddress hostPort(String v) {
    int colon = v.lastIndexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException("must be IP:port, got '" + v + "'");
    }
    String host = v.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(v.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("must be IP:port, got '" + v + "'");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port must be between 1 and 65535, got '" + v + "'");
    }
    return new InetSocketAddress(KubeletConfig.ipAddress(host), port);
  }

  /** A CIDR in canonical-enough form: an IP address and a prefix length that fits it. */
  static String cidr(String v) {
    int slash = v.indexOf('/');
    if (slash < 0) {
      throw new IllegalArgumentException("must be a CIDR such as 10.244.0.0/16, got '" + v + "'");
    }
    var ip = KubeletConfig.ipAddress(v.substring(0, slash));
    int max = ip.getAddress().length * 8;
    int prefix;
    try {
      prefix = Integer.parseInt(v.substring(slash + 1));
    } catch (NumberFormatException e) {
      prefix = -1;
    }
    if (prefix < 0 || prefix > max) {
      throw new IllegalArgumentException("prefix length must be 0-" + max + " in '" + v + "'");
    }
    return v;
  }

  private static Map<String, String> notSupported() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("conntrack", "berth does not set conntrack sysctls; it only clears stale UDP entries");
    m.put(
        "iptables",
        "berth takes sync periods and masquerading from the nftables section in both modes");
    m.put("ipvs", "berth's IPVS back end is netlink encoding only, not usable for traffic");
    m.put("winkernel", "berth runs on Linux only");
    m.put("clientConnection", "berth has no API-server connection yet");
    m.put("configSyncPeriod", "berth has no API-server connection yet");
    m.put("hostnameOverride", "berth's node name comes from --node-name");
    m.put("bindAddress", "the proxier is bound to berth's node, not an address");
    m.put("bindAddressHardFail", "the proxier is bound to berth's node, not an address");
    m.put("detectLocalMode", "berth detects local traffic by clusterCIDR only");
    m.put("detectLocal", "berth detects local traffic by clusterCIDR only");
    m.put("oomScoreAdj", "set OOMScoreAdjust in berth.service");
    m.put("portRange", "kube-proxy ignores it too");
    m.put("featureGates", "berth has no feature gates");
    m.put("logging", "use --log-format text|json");
    m.put("enableProfiling", "berth serves no profiling endpoints");
    m.put("showHiddenMetricsForVersion", "berth has no hidden metrics");
    m.put("syncPeriod", "use nftables.syncPeriod");
    m.put("minSyncPeriod", "use nftables.minSyncPeriod");
    return Map.copyOf(m);
  }
}
