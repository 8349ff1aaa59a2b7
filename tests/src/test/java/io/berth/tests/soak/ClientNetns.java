package io.berth.tests.soak;

import io.berth.tests.fixtures.Commands;
import io.berth.tests.fixtures.NodeNetns;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A client outside the node: a network namespace {@code berth-<prefix>-<random>} joined to a {@link
 * NodeNetns} by a veth pair ({@code 198.18.0.2/30} here, {@code 198.18.0.1/30} in the node, which
 * is the client's default route), so its traffic to a Service VIP enters the node as a remote
 * client's would: through PREROUTING and forwarding, not the node's own OUTPUT path. Forwarding is
 * switched on in the node's namespace only. {@link #close()} deletes the namespace (and with it the
 * pair).
 */
final class ClientNetns implements AutoCloseable {
  static final String CLIENT_IP = "198.18.0.2";
  private static final String NODE_SIDE_IP = "198.18.0.1";
  private final String name;
  private final ThreadLocal<String> lastError = ThreadLocal.withInitial(() -> "");
  private boolean closed;

  private ClientNetns(String name) {
    this.name = name;
  }

  static ClientNetns create(String prefix, NodeNetns node) {
    String id = randomId();
    ClientNetns c = new ClientNetns("berth-" + prefix + "-" + id);
    Commands.run("ip", "netns", "add", c.name);
    try {
      String nodeSide = "cl-" + id;
      node.run(
          "ip", "link", "add", nodeSide, "type", "veth", "peer", "name", "cl0", "netns", c.name);
      node.run("ip", "addr", "add", NODE_SIDE_IP + "/30", "dev", nodeSide);
      node.run("ip", "link", "set", nodeSide, "up");
      node.run("sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
      c.ip("link", "set", "lo", "up");
      c.ip("addr", "add", CLIENT_IP + "/30", "dev", "cl0");
      c.ip("link", "set", "cl0", "up");
      c.ip("route", "add", "default", "via", NODE_SIDE_IP);
    } catch (RuntimeException e) {
      c.close();
      throw e;
    }
    return c;
  }

  /**
   * {@code GET http://ip:port/index.html} on a new connection from the client (3 s limit): the
   * page's first word, or empty when the request failed (with {@link #lastError()} saying how).
   */
  Optional<String> fetch(String ip, int port) {
    try {
      Process p =
          new ProcessBuilder(
                  "nsenter",
                  "--net=/run/netns/" + name,
                  "--",
                  "curl",
                  "-sS",
                  "--fail",
                  "--max-time",
                  "3",
                  "http://" + ip + ":" + port + "/index.html")
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
              .start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        lastError.set("curl did not exit");
        return Optional.empty();
      }
      if (p.exitValue() != 0 || out.isEmpty()) {
        lastError.set("curl exit " + p.exitValue() + ": " + err);
        return Optional.empty();
      }
      return Optional.of(out.split("\\s+")[0]);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("curl from " + name + " to " + ip + ":" + port, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  /** How this thread's last failed {@link #fetch} failed. */
  String lastError() {
    return lastError.get();
  }

  private void ip(String... args) {
    List<String> cmd = new java.util.ArrayList<>(List.of("ip", "-n", name));
    cmd.addAll(List.of(args));
    Commands.run(cmd, Duration.ofSeconds(10));
  }

  private static String randomId() {
    SecureRandom random = new SecureRandom();
    StringBuilder id = new StringBuilder();
    for (int i = 0; i < 6; i++) {
      id.append("abcdefghijklmnopqrstuvwxyz0123456789".charAt(random.nextInt(36)));
    }
    return id.toString();
  }

  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      if (java.nio.file.Files.exists(java.nio.file.Path.of("/run/netns", name))) {
        Commands.run("ip", "netns", "del", name);
      }
    }
  }
}
