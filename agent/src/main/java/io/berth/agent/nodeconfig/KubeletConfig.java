package io.berth.agent.nodeconfig;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code KubeletConfiguration} (kubelet.config.k8s.io/v1beta1) fields berth implements, with
 * the kubelet's defaults.
 *
 * @param staticPodPath static pod manifest directory; null for none
 * @param staticPodURL URL returning a Pod or PodList; null for none
 * @param fileCheckFrequency rescan period of {@code staticPodPath} (kubelet default 20 s)
 * @param httpCheckFrequency poll period of {@code staticPodURL} (kubelet default 20 s)
 * @param healthzBindAddress where berth serves its local plain-HTTP API (health, pods, metrics);
 *     the secure node API is {@link NodeServerConfig}'s {@code address:port}
 * @param healthzPort that listener's port (kubelet default 10248)
 * @param cgroupRoot the node's root cgroup; with {@code cgroupsPerQOS} pods go under {@code
 *     <cgroupRoot>/kubepods}
 * @param podLogsDir where pod log directories go (kubelet default {@code /var/log/pods})
 * @param containerRuntimeEndpoint the CRI socket, {@code unix:///path}
 * @param clusterDNS cluster DNS server IPs given to ClusterFirst pods; empty: host DNS
 * @param clusterDomain the cluster's DNS domain; empty for none (the kubelet's default)
 * @param resolvConf the resolver file whose servers and search domains pods inherit
 * @param maxPods how many pods berth admits (kubelet default 110); more are refused with OutOfpods
 * @param allowedUnsafeSysctls unsafe namespaced sysctls pods may set (names, or prefixes ending in
 *     {@code *}); the safe set is always allowed
 */
public record KubeletConfig(
    Path staticPodPath,
    URI staticPodURL,
    Duration fileCheckFrequency,
    Duration httpCheckFrequency,
    InetAddress healthzBindAddress,
    int healthzPort,
    String cgroupRoot,
    Path podLogsDir,
    String containerRuntimeEndpoint,
    List<String> clusterDNS,
    String clusterDomain,
    Path resolvConf,
    int maxPods,
    List<String> allowedUnsafeSysctls) {
  public static final String API_VERSION = "kubelet.config.k8s.io/v1beta1";
  public static final String KIND = "KubeletConfiguration";

  private static final String TLS_FIXED =
      "berth's node API offers TLS 1.3 and 1.2 with a fixed set of modern cipher suites; its"
          + " certificate comes from tlsCertFile or is self-signed";
  private static final String NO_API_SERVER =
      "berth uses the kubelet's default for this API-server setting; it is not configurable yet";

  /**
   * Fields the real KubeletConfiguration defines that berth does not implement, and why. Reading
   * them silently would mislead; berth warns with the field path and ignores them.
   */
  static final Map<String, String> NOT_SUPPORTED = notSupported();

  public KubeletConfig {
    clusterDNS = List.copyOf(clusterDNS);
    allowedUnsafeSysctls = List.copyOf(allowedUnsafeSysctls);
  }

  /** The kubelet's defaults for every field berth implements. */
  public static KubeletConfig defaults() {
    return new KubeletConfig(
        null,
        null,
        Duration.ofSeconds(20),
        Duration.ofSeconds(20),
        InetAddress.getLoopbackAddress(),
        10248,
        "/",
        Path.of("/var/log/pods"),
        "unix:///run/containerd/containerd.sock",
        List.of(),
        "",
        Path.of("/etc/resolv.conf"),
        110,
        List.of());
  }

  /** Where pods' cgroups go: {@code <cgroupRoot>/kubepods}, as the kubelet's cgroupsPerQOS. */
  public String podCgroupRoot() {
    return cgroupRoot.equals("/") ? "/kubepods" : cgroupRoot + "/kubepods";
  }

  static KubeletConfig read(FieldReader r) {
    KubeletConfig d = defaults();
    r.ignore("apiVersion", "kind");
    Path staticPodPath = r.parsed("staticPodPath", null, v -> v.isEmpty() ? null : absolute(v));
    URI staticPodURL = r.parsed("staticPodURL", null, v -> v.isEmpty() ? null : httpUrl(v));
    Duration fileCheck = r.positiveDuration("fileCheckFrequency", d.fileCheckFrequency());
    Duration httpCheck = r.positiveDuration("httpCheckFrequency", d.httpCheckFrequency());
    InetAddress healthzAddress =
        r.parsed("healthzBindAddress", d.healthzBindAddress(), KubeletConfig::ipAddress);
    int healthzPort = r.integer("healthzPort", d.healthzPort(), 1, 65535);
    String cgroupRoot =
        r.parsed("cgroupRoot", d.cgroupRoot(), v -> v.isEmpty() ? "/" : absoluteCgroup(v));
    if (!r.bool("cgroupsPerQOS", true)) {
      r.error("cgroupsPerQOS", "false is not supported: berth always uses QoS cgroups");
    }
    String driver = r.string("cgroupDriver", "cgroupfs");
    if (!driver.equals("cgroupfs")) {
      r.error("cgroupDriver", "'" + driver + "' is not supported: berth uses the cgroupfs driver");
    }
    Path podLogsDir = r.parsed("podLogsDir", d.podLogsDir(), KubeletConfig::absolute);
    String endpoint =
        r.parsed(
            "containerRuntimeEndpoint", d.containerRuntimeEndpoint(), KubeletConfig::unixEndpoint);
    String imageEndpoint = r.string("imageServiceEndpoint", "");
    if (!imageEndpoint.isEmpty() && !imageEndpoint.equals(endpoint)) {
      r.error(
          "imageServiceEndpoint",
          "a separate image service is not supported: berth uses containerRuntimeEndpoint");
    }
    List<String> dns = new ArrayList<>();
    List<String> given = r.strings("clusterDNS");
    for (int i = 0; i < given.size(); i++) {
      try {
        dns.add(ipAddress(given.get(i)).getHostAddress());
      } catch (IllegalArgumentException e) {
        r.error("clusterDNS[" + i + "]", e.getMessage());
      }
    }
    String domain = r.parsed("clusterDomain", d.clusterDomain(), KubeletConfig::dnsDomain);
    Path resolvConf = r.parsed("resolvConf", d.resolvConf(), KubeletConfig::absolute);
    int maxPods = r.integer("maxPods", d.maxPods(), 1, 1_000_000);
    List<String> unsafe = new ArrayList<>();
    List<String> givenUnsafe = r.strings("allowedUnsafeSysctls");
    for (int i = 0; i < givenUnsafe.size(); i++) {
      try {
        new io.berth.agent.admission.SysctlAdmission(List.of(givenUnsafe.get(i)));
        unsafe.add(givenUnsafe.get(i));
      } catch (IllegalArgumentException e) {
        r.error("allowedUnsafeSysctls[" + i + "]", e.getMessage());
      }
    }
    return new KubeletConfig(
        staticPodPath,
        staticPodURL,
        fileCheck,
        httpCheck,
        healthzAddress,
        healthzPort,
        cgroupRoot,
        podLogsDir,
        endpoint,
        dns,
        domain,
        resolvConf,
        maxPods,
        unsafe);
  }

  /** This configuration as a YAML document, every field berth implements (print-defaults). */
  String toYaml() {
    Yaml y = new Yaml();
    y.line("apiVersion", API_VERSION);
    y.line("kind", KIND);
    y.list("allowedUnsafeSysctls", allowedUnsafeSysctls);
    y.line("cgroupDriver", "cgroupfs");
    y.line("cgroupRoot", cgroupRoot);
    y.raw("cgroupsPerQOS", true);
    y.list("clusterDNS", clusterDNS);
    y.line("clusterDomain", clusterDomain);
    y.line("containerRuntimeEndpoint", containerRuntimeEndpoint);
    y.line("fileCheckFrequency", GoDuration.format(fileCheckFrequency));
    y.line("healthzBindAddress", healthzBindAddress.getHostAddress());
    y.raw("healthzPort", healthzPort);
    y.line("httpCheckFrequency", GoDuration.format(httpCheckFrequency));
    y.raw("maxPods", maxPods);
    y.line("podLogsDir", podLogsDir.toString());
    y.line("resolvConf", resolvConf.toString());
    y.line("staticPodPath", staticPodPath == null ? "" : staticPodPath.toString());
    y.line("staticPodURL", staticPodURL == null ? "" : staticPodURL.toString());
    return y.toString();
  }

  static Path absolute(String v) {
    Path p = Path.of(v);
    if (!p.isAbsolute()) {
      throw new IllegalArgumentException("must be an absolute path, got '" + v + "'");
    }
    return p;
  }

  static String absoluteCgroup(String v) {
    if (!v.startsWith("/")) {
      throw new IllegalArgumentException("must be an absolute cgroup path, got '" + v + "'");
    }
    return v.length() > 1 && v.endsWith("/") ? v.substring(0, v.length() - 1) : v;
  }

  static URI httpUrl(String v) {
    try {
      URI uri = new URI(v);
      if ((!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()))
          || uri.getHost() == null) {
        throw new IllegalArgumentException("must be an http(s) URL, got '" + v + "'");
      }
      return uri;
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("not a URL: " + e.getMessage());
    }
  }

  static String unixEndpoint(String v) {
    if (!v.startsWith("unix:///")) {
      throw new IllegalArgumentException(
          "must be a unix:///path endpoint (berth speaks the CRI over a Unix socket), got '"
              + v
              + "'");
    }
    return v;
  }

  /** A literal IPv4 or IPv6 address; never a host name (no DNS lookups while parsing). */
  static InetAddress ipAddress(String v) {
    if (!v.matches("[0-9.]+|[0-9a-fA-F:.]*:[0-9a-fA-F:.]*") || v.isEmpty()) {
      throw new IllegalArgumentException("must be an IP address, got '" + v + "'");
    }
    try {
      return InetAddress.getByName(v);
    } catch (java.net.UnknownHostException e) {
      throw new IllegalArgumentException("must be an IP address, got '" + v + "'");
    }
  }

  static String dnsDomain(String v) {
    String d = v.endsWith(".") ? v.substring(0, v.length() - 1) : v;
    if (!d.isEmpty()
        && !d.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")) {
      throw new IllegalArgumentException(
          "must be a DNS domain such as cluster.local, got '" + v + "'");
    }
    return d;
  }

  private static Map<String, String> notSupported() {
    Map<String, String> m = new LinkedHashMap<>();
    for (String f :
        List.of("tlsCipherSuites", "tlsMinVersion", "rotateCertificates", "serverTLSBootstrap")) {
      m.put(f, TLS_FIXED);
    }
    m.put("readOnlyPort", "berth has no unauthenticated read-only port; healthzPort serves /pods");
    m.put("enableDebuggingHandlers", "the node API always serves logs and exec, authorized");
    for (String f : List.of("registerNode", "providerID", "podCIDR")) {
      m.put(f, NO_API_SERVER);
    }
    m.put(
        "syncFrequency",
        "berth resyncs each pod every 10 s and on every runtime event; not configurable");
    for (String f : List.of("eventRecordQPS", "eventBurst")) {
      m.put(f, "the event client is fixed at the kubelet's defaults (50 QPS, burst 100)");
    }
    m.put("podPidsLimit", "berth sets no pids limit on pod cgroups yet");
    m.put("containerLogMaxWorkers", "berth rotates container logs on one thread");
    for (String f :
        List.of(
            "evictionSoft",
            "evictionSoftGracePeriod",
            "evictionPressureTransitionPeriod",
            "evictionMaxPodGracePeriod",
            "evictionMinimumReclaim")) {
      m.put(f, "no eviction manager yet");
    }
    for (String f : List.of("serializeImagePulls", "maxParallelImagePulls")) {
      m.put(f, "image pull tuning is not built");
    }
    for (String f :
        List.of(
            "enforceNodeAllocatable",
            "kubeReservedCgroup",
            "systemReservedCgroup",
            "cpuManagerPolicy",
            "memoryManagerPolicy",
            "topologyManagerPolicy",
            "cpuCFSQuota",
            "cpuCFSQuotaPeriod")) {
      m.put(f, "node allocatable and resource managers are not built");
    }
    m.put("staticPodURLHeader", "request headers for staticPodURL are not wired yet");
    m.put("runtimeRequestTimeout", "berth uses fixed CRI deadlines (2 min, 10 s for status)");
    m.put("hairpinMode", "the CNI plugin's configuration decides hairpin mode");
    m.put("failSwapOn", "berth does not check swap");
    m.put("featureGates", "berth has no feature gates");
    m.put("logging", "use --log-format text|json");
    m.put("volumePluginDir", "berth has no FlexVolume plugins (in-tree volume types only)");
    return Map.copyOf(m);
  }
}
