package io.berth.agent.kuberuntime;

import io.berth.cri.DnsConfig;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodDNSConfig;
import io.fabric8.kubernetes.api.model.PodDNSConfigOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * A pod's resolv.conf as the kubelet's DNS configurer ({@code pkg/kubelet/network/dns}) derives it
 * from {@code dnsPolicy} and {@code dnsConfig}: ClusterFirst (host-network pods: Default) uses the
 * cluster DNS servers, the cluster search domains before the host's, and {@code ndots:5}; Default
 * uses the node's resolv.conf; None starts empty; {@code dnsConfig} is appended (options by name,
 * the pod's win). At most 3 servers and 32 search domains are kept.
 */
public final class PodDns {
  private PodDns() {}

  static final int MAX_NAMESERVERS = 3;
  static final int MAX_SEARCHES = 32;

  /** The DNS config of {@code pod} (a defaulted pod). */
  public static DnsConfig of(Pod pod, RuntimeSettings settings) {
    boolean hostNetwork = Boolean.TRUE.equals(pod.getSpec().getHostNetwork());
    String policy =
        pod.getSpec().getDnsPolicy() == null ? "ClusterFirst" : pod.getSpec().getDnsPolicy();
    Type type =
        switch (policy) {
          case "None" -> Type.NONE;
          case "ClusterFirstWithHostNet" -> Type.CLUSTER;
          case "ClusterFirst" -> hostNetwork ? Type.HOST : Type.CLUSTER;
          case "Default" -> Type.HOST;
          default -> Type.CLUSTER; // the kubelet logs and falls back to ClusterFirst
        };
    if (type == Type.CLUSTER && settings.clusterDns().isEmpty()) {
      type = Type.HOST; // "kubelet does not have ClusterDNS IP configured ..."
    }
    DnsConfig host = settings.hostDns();
    List<String> servers = new ArrayList<>();
    List<String> searches = new ArrayList<>();
    List<String> options = new ArrayList<>();
    switch (type) {
      case NONE -> {}
      case CLUSTER -> {
        servers.addAll(settings.clusterDns());
        String domain = settings.clusterDomain();
        if (!domain.isEmpty()) {
          String ns = pod.getMetadata().getNamespace();
          searches.addAll(List.of(ns + ".svc." + domain, "svc." + domain, domain));
        }
        if (host != null) {
          searches.addAll(host.searches());
        }
        options.add("ndots:5");
      }
      case HOST -> {
        if (host == null) {
          servers.add("127.0.0.1");
          searches.add(".");
        } else {
          servers.addAll(host.servers());
          searches.addAll(host.searches());
          options.addAll(host.options());
        }
      }
    }
    PodDNSConfig pc = pod.getSpec().getDnsConfig();
    if (pc != null) {
      if (pc.getNameservers() != null) {
        servers.addAll(pc.getNameservers());
      }
      if (pc.getSearches() != null) {
        searches.addAll(pc.getSearches());
      }
      options = mergeOptions(options, pc.getOptions());
    }
    List<String> s = dedup(servers);
    List<String> q = dedup(searches);
    return new DnsConfig(
        s.subList(0, Math.min(MAX_NAMESERVERS, s.size())),
        q.subList(0, Math.min(MAX_SEARCHES, q.size())),
        options);
  }

  private enum Type {
    NONE,
    CLUSTER,
    HOST
  }

  private static List<String> dedup(List<String> values) {
    return List.copyOf(new LinkedHashSet<>(values));
  }

  static List<String> mergeOptions(List<String> existing, List<PodDNSConfigOption> pod) {
    Map<String, String> byName = new LinkedHashMap<>();
    for (String op : existing) {
      int i = op.indexOf(':');
      if (i >= 0) {
        byName.put(op.substring(0, i), op.substring(i + 1));
      } else {
        byName.put(op, "");
      }
    }
    if (pod != null) {
      for (PodDNSConfigOption op : pod) {
        byName.put(op.getName(), op.getValue() == null ? "" : op.getValue());
      }
    }
    List<String> out = new ArrayList<>();
    byName.forEach((k, v) -> out.add(v.isEmpty() ? k : k + ":" + v));
    return out;
  }
}
