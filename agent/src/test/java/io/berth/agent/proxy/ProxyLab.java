package io.berth.agent.proxy;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A compact namespace lab for the proxier IT (after netfilter's {@code NetnsLab}, which lives in
 * that module's test sources). Every namespace is {@code berth-pr-x-*}:
 *
 * <pre>
 *   client 192.168.78.2 ──veth── 192.168.78.1  node  br0 10.0.2.1/24 ──veth── pod1 10.0.2.2
 *                                                                    └─veth── pod2 10.0.2.3
 * </pre>
 *
 * Pods run {@code busybox httpd} on :8080 answering their name. The node forwards (sysctl inside
 * the node namespace only) and routes 10.96.0.0/16 to br0 so node-originated VIP traffic has a
 * route. {@link #close()} kills the processes it started (by PID) and deletes its namespaces.
 */
final class ProxyLab implements AutoCloseable {
  static final String PREFIX = "berth-pr-x-";
  private final List<String> namespaces = new ArrayList<>();
  private final List<Process> processes = new ArrayList<>();
  private final Path webRoot;

  ProxyLab(int pods) throws IOException {
    webRoot = Files.createTempDirectory("berth-pr-x-web-");
    try {
      build(pods);
    } catch (RuntimeException | IOException e) {
      try {
        close();
      } catch (RuntimeException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  static String node() {
    return PREFIX + "node";
  }

  static String client() {
    return PREFIX + "client";
  }

  static String pod(int i) {
    return PREFIX + "pod" + i;
  }

  static String podIp(int i) {
    return "10.0.2." + (i + 1);
  }

  Path nodeNetns() {
    return Path.of("/run/netns", node());
  }

  private void build(int pods) throws IOException {
    for (String ns : List.of(node(), client())) {
      check("ip", "netns", "add", ns);
      namespaces.add(ns);
      ip(ns, "link", "set", "lo", "up");
    }
    check("ip", "netns", "exec", node(), "sysctl", "-qw", "net.ipv4.ip_forward=1");
    ip(node(), "link", "add", "br0", "type", "bridge");
    ip(node(), "addr", "add", "10.0.2.1/24", "dev", "br0");
    ip(node(), "link", "set", "br0", "up");
    ip(node(), "route", "add", "10.96.0.0/16", "dev", "br0");
    ip(node(), "link", "add", "vcl", "type", "veth", "peer", "name", "eth0", "netns", client());
    ip(node(), "addr", "add", "192.168.78.1/24", "dev", "vcl");
    ip(node(), "link", "set", "vcl", "up");
    ip(client(), "addr", "add", "192.168.78.2/24", "dev", "eth0");
    ip(client(), "link", "set", "eth0", "up");
    ip(client(), "route", "add", "default", "via", "192.168.78.1");
    for (int i = 1; i <= pods; i++) {
      String ns = pod(i);
      check("ip", "netns", "add", ns);
      namespaces.add(ns);
      ip(ns, "link", "set", "lo", "up");
      ip(node(), "link", "add", "vp" + i, "type", "veth", "peer", "name", "eth0", "netns", ns);
      ip(node(), "link", "set", "vp" + i, "master", "br0", "up");
      ip(ns, "addr", "add", podIp(i) + "/24", "dev", "eth0");
      ip(ns, "link", "set", "eth0", "up");
      ip(ns, "route", "add", "default", "via", "10.0.2.1");
      Path dir = Files.createDirectories(webRoot.resolve("pod" + i));
      Files.writeString(dir.resolve("index.html"), "pod" + i + "\n");
      processes.add(
          new ProcessBuilder(
                  "ip",
                  "netns",
                  "exec",
                  ns,
                  "busybox",
                  "httpd",
                  "-f",
                  "-p",
                  "8080",
                  "-h",
                  dir.toString())
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start());
    }
    for (int i = 1; i <= pods; i++) {
      awaitHttp("http://" + podIp(i) + ":8080/");
    }
  }

  /** One HTTP GET from {@code ns}: the body, or {@code FAILED: <reason>}. */
  String get(String ns, String url, int timeoutSeconds) {
    Result r =
        run(List.of("ip", "netns", "exec", ns, "curl", "-sS", "-m", "" + timeoutSeconds, url));
    return r.exit() == 0 ? r.out().strip() : "FAILED: " + r.err().strip();
  }

  private void awaitHttp(String url) {
    for (int attempt = 0; attempt < 50; attempt++) {
      if (!get(node(), url, 1).startsWith("FAILED")) {
        return;
      }
      try {
        Thread.sleep(100); // a real server starting up, not a timer we could advance
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted waiting for " + url, e);
      }
    }
    throw new IllegalStateException("pod server never answered: " + url);
  }

  private static void ip(String ns, String... args) {
    List<String> cmd = new ArrayList<>(List.of("ip", "-n", ns));
    cmd.addAll(List.of(args));
    check(cmd.toArray(String[]::new));
  }

  private record Result(int exit, String out, String err) {}

  private static Result run(List<String> cmd) {
    try {
      Process p =
          new ProcessBuilder(cmd)
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
              .start();
      byte[][] io = new byte[2][];
      Thread err = Thread.ofVirtual().start(() -> io[1] = readAll(p.getErrorStream()));
      io[0] = readAll(p.getInputStream());
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("timed out: " + cmd);
      }
      err.join();
      return new Result(
          p.exitValue(),
          new String(io[0], StandardCharsets.UTF_8),
          new String(io[1], StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + cmd, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running " + cmd, e);
    }
  }

  private static byte[] readAll(java.io.InputStream in) {
    try (in) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new IllegalStateException("reading process output", e);
    }
  }

  private static void check(String... cmd) {
    Result r = run(List.of(cmd));
    if (r.exit() != 0) {
      throw new IllegalStateException(
          "command failed (" + r.exit() + "): " + String.join(" ", cmd) + "\n" + r.err() + r.out());
    }
  }

  @Override
  public void close() {
    List<String> problems = new ArrayList<>();
    for (Process p : processes) {
      p.destroy(); // this PID only: ip netns exec execs busybox in place
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
      Result r = run(List.of("ip", "netns", "del", ns));
      if (r.exit() != 0) {
        problems.add("ip netns del " + ns + ": " + r.err());
      }
    }
    namespaces.clear();
    try (Stream<Path> files = Files.walk(webRoot)) {
      for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
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
