package io.berth.agent.pod;

import io.berth.agent.kuberuntime.NodeContext;
import io.berth.cri.DnsConfig;
import io.fabric8.kubernetes.api.model.Quantity;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * What pods need to know about this host, read once at start: its IPs (status.hostIP), memory and
 * CPUs (allocatable for the downward API, {@code oom_score_adj}), and its resolv.conf (the
 * kubelet's {@code --resolv-conf}, {@code Default} DNS policy and cluster DNS fallback).
 */
public final class HostFacts {
  private HostFacts() {}

  /** The node context for {@code nodeName} from this host. */
  public static NodeContext nodeContext(String nodeName) {
    long memory = memoryCapacityBytes(Path.of("/proc/meminfo"));
    return new NodeContext(
        nodeName,
        hostIps(),
        Map.of(
            "cpu", new Quantity(Integer.toString(Runtime.getRuntime().availableProcessors())),
            "memory", new Quantity(Long.toString(memory))),
        memory);
  }

  /** The host IP: the lowest IPv4 address of an up, non-loopback interface; empty when none. */
  public static List<String> hostIps() {
    List<String> ips = new ArrayList<>();
    try {
      for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        if (!usable(nic)) {
          continue;
        }
        for (InetAddress a : Collections.list(nic.getInetAddresses())) {
          if (a instanceof Inet4Address && !a.isLinkLocalAddress()) {
            ips.add(a.getHostAddress());
          }
        }
      }
    } catch (SocketException e) {
      throw new UncheckedIOException("cannot list the host's network interfaces", e);
    }
    return ips.stream().sorted().limit(1).toList();
  }

  /**
   * Up, not loopback, not virtual. An interface that vanishes between the listing and this check (a
   * pod's veth being deleted) is skipped instead of failing berth's start.
   */
  private static boolean usable(NetworkInterface nic) {
    try {
      return nic.isUp() && !nic.isLoopback() && !nic.isVirtual();
    } catch (SocketException gone) {
      return false;
    }
  }

  /** MemTotal from {@code /proc/meminfo}, in bytes. */
  static long memoryCapacityBytes(Path meminfo) {
    try {
      for (String line : Files.readAllLines(meminfo)) {
        if (line.startsWith("MemTotal:")) {
          String[] f = line.trim().split("\\s+");
          return Long.parseLong(f[1]) * 1024;
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + meminfo, e);
    }
    throw new IllegalStateException(meminfo + " has no MemTotal line");
  }

  /**
   * The host's resolv.conf as the kubelet parses it ({@code nameserver}, {@code search}/{@code
   * domain}, {@code options}); null when the file does not exist (pods then get 127.0.0.1).
   */
  public static DnsConfig resolvConf(Path file) {
    List<String> servers = new ArrayList<>();
    List<String> searches = new ArrayList<>();
    List<String> options = new ArrayList<>();
    List<String> lines;
    try {
      lines = Files.readAllLines(file);
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    for (String raw : lines) {
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
        continue;
      }
      String[] f = line.split("\\s+");
      switch (f[0]) {
        case "nameserver" -> {
          if (f.length > 1) {
            servers.add(f[1]);
          }
        }
        case "search", "domain" -> {
          searches.clear(); // the last search/domain line wins, as in glibc
          searches.addAll(List.of(f).subList(1, f.length));
        }
        case "options" -> options.addAll(List.of(f).subList(1, f.length));
        default -> {
          // sortlist and others are not passed to pods
        }
      }
    }
    return new DnsConfig(servers, searches, options);
  }
}
