package io.berth.netfilter.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away network topology made of namespaces this test creates (all named {@code
 * berth-nf-<tag>-*}):
 *
 * <pre>
 *   client 192.168.77.2 ──veth── 192.168.77.1  node  br0 10.0.1.1/24 ──veth── pod1 10.0.1.2
 *          fd00:77::2            fd00:77::1          fd00:1::1/64  ├─veth── pod2 10.0.1.3
 *                                                                  └─veth── pod3 10.0.1.4
 * </pre>
 *
 * Pods also have fd00:1::(i+1); IPv6 forwarding is on in the node namespace only.
 *
 * <p>Pod ports are in hairpin mode, as the CNI bridge plugin sets them with {@code hairpinMode}.
 * Each pod runs {@code busybox httpd} on :8080 answering its own name. The node forwards (a sysctl
 * inside the node namespace only) and routes the service CIDR 10.96.0.0/16 to br0 so that
 * node-originated VIP traffic has a route before OUTPUT DNAT. {@link #close()} kills every process
 * it started (by PID) and deletes every namespace it created, also after failures.
 */
public final class NetnsLab implements AutoCloseable {
  public static final String NODE_IP = "192.168.77.1";
  public static final String NODE_IP6 = "fd00:77::1";
  private final String tag;
  private final List<String> namespaces = new ArrayList<>();
  private final List<Process> processes = new ArrayList<>();
  private final Path webRoot;

  public NetnsLab(String tag, int pods) throws IOException {
    this.tag = tag;
    this.webRoot = Files.createTempDirectory("berth-nf-web-");
    try {
      build(pods);
    } catch (RuntimeException | IOException e) {
      close();
      throw e;
    }
  }

  public String node() {
    return "berth-nf-" + tag + "-node";
  }

  public String client() {
    return "berth-nf-" + tag + "-client";
  }

  public String pod(int i) {
    return "berth-nf-" + tag + "-pod" + i;
  }

  public static String podIp(int i) {
    return "10.0.1." + (i + 1);
  }

  public static String podIp6(int i) {
    return "fd00:1::" + (i + 1);
  }

  public Path nodeNetns() {
    return Path.of("/run/netns", node());
  }

  private void build(int pods) throws IOException {
    addNs(node());
    addNs(client());
    ipIn(node(), "link", "set", "lo", "up");
    ipIn(client(), "link", "set", "lo", "up");
    Sh.check("ip", "netns", "exec", node(), "sysctl", "-qw", "net.ipv4.ip_forward=1");
    Sh.check("ip", "netns", "exec", node(), "sysctl", "-qw", "net.ipv6.conf.all.forwarding=1");
    ipIn(node(), "link", "add", "br0", "type", "bridge");
    ipIn(node(), "addr", "add", "10.0.1.1/24", "dev", "br0");
    ipIn(node(), "addr", "add", "fd00:1::1/64", "dev", "br0", "nodad");
    ipIn(node(), "link", "set", "br0", "up");
    ipIn(node(), "route", "add", "10.96.0.0/16", "dev", "br0");
    // client link: created inside the node namespace, one end moved to the client.
    ipIn(node(), "link", "add", "vcl", "type", "veth", "peer", "name", "eth0", "netns", client());
    ipIn(node(), "addr", "add", NODE_IP + "/24", "dev", "vcl");
    ipIn(node(), "addr", "add", NODE_IP6 + "/64", "dev", "vcl", "nodad");
    ipIn(node(), "link", "set", "vcl", "up");
    ipIn(client(), "addr", "add", "192.168.77.2/24", "dev", "eth0");
    ipIn(client(), "link", "set", "eth0", "up");
    ipIn(client(), "route", "add", "default", "via", NODE_IP);
    ipIn(client(), "addr", "add", "fd00:77::2/64", "dev", "eth0", "nodad");
    ipIn(client(), "-6", "route", "add", "default", "via", NODE_IP6);
    for (int i = 1; i <= pods; i++) {
      String ns = pod(i);
      addNs(ns);
      ipIn(ns, "link", "set", "lo", "up");
      ipIn(node(), "link", "add", "vp" + i, "type", "veth", "peer", "name", "eth0", "netns", ns);
      ipIn(node(), "link", "set", "vp" + i, "master", "br0", "up");
      // What the CNI bridge plugin's hairpinMode does: br_netfilter (on in every namespace here)
      // DNATs a pod's packet to its own VIP at the bridge layer and sends it back out the port it
      // came in on, which a bridge only does in hairpin mode.
      ipIn(node(), "link", "set", "vp" + i, "type", "bridge_slave", "hairpin", "on");
      ipIn(ns, "addr", "add", podIp(i) + "/24", "dev", "eth0");
      ipIn(ns, "link", "set", "eth0", "up");
      ipIn(ns, "route", "add", "default", "via", "10.0.1.1");
      ipIn(ns, "addr", "add", podIp6(i) + "/64", "dev", "eth0", "nodad");
      ipIn(ns, "-6", "route", "add", "default", "via", "fd00:1::1");
      Path dir = Files.createDirectories(webRoot.resolve("pod" + i));
      Files.writeString(dir.resolve("index.html"), "pod" + i + "\n");
      start(
          "ip", "netns", "exec", ns, "busybox", "httpd", "-f", "-p", "8080", "-h", dir.toString());
    }
    for (int i = 1; i <= pods; i++) {
      awaitHttp(node(), "http://" + podIp(i) + ":8080/");
    }
  }

  /**
   * One HTTP GET with {@code curl} from {@code ns} (busybox-static's wget crashes in this image);
   * the result's stdout is the body on success.
   */
  public Sh.Result http(String ns, String url) {
    return Sh.run(List.of("ip", "netns", "exec", ns, "curl", "-sS", "-m", "3", url), 30);
  }

  /** Runs {@code nft} inside the node namespace (test oracle only). */
  public String nft(String... args) {
    List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", node(), "nft"));
    cmd.addAll(List.of(args));
    return Sh.check(cmd.toArray(String[]::new));
  }

  private void awaitHttp(String ns, String url) {
    for (int attempt = 0; attempt < 50; attempt++) {
      if (http(ns, url).ok()) {
        return;
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted waiting for " + url, e);
      }
    }
    throw new IllegalStateException("server never answered: " + url + " from " + ns);
  }

  private void start(String... cmd) throws IOException {
    Process p =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    processes.add(p);
  }

  private void addNs(String ns) {
    Sh.check("ip", "netns", "add", ns);
    namespaces.add(ns);
  }

  private static void ipIn(String ns, String... args) {
    List<String> cmd = new ArrayList<>(List.of("ip", "-n", ns));
    cmd.addAll(List.of(args));
    Sh.check(cmd.toArray(String[]::new));
  }

  @Override
  public void close() {
    List<String> problems = new ArrayList<>();
    for (Process p : processes) {
      p.destroy(); // SIGTERM to this PID only (ip netns exec execs busybox in place)
      try {
        if (!p.waitFor(5, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          p.waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        problems.add("interrupted waiting for pid " + p.pid());
      }
    }
    processes.clear();
    for (String ns : namespaces.reversed()) {
      Sh.Result r = Sh.run(List.of("ip", "netns", "del", ns), 30);
      if (!r.ok()) {
        problems.add("ip netns del " + ns + ": " + r.err());
      }
    }
    namespaces.clear();
    try (var files = Files.walk(webRoot)) {
      for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(f);
      }
    } catch (IOException e) {
      problems.add("removing " + webRoot + ": " + e);
    }
    if (!problems.isEmpty()) {
      throw new IllegalStateException("lab cleanup problems: " + problems);
    }
  }
}
