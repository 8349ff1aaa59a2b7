package io.berth.netfilter.iptables;

import io.berth.netfilter.NetfilterException;
import io.berth.netfilter.detect.IptablesMode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The iptables tools of one flavour ({@code iptables-legacy-restore}, {@code iptables-nft-save},
 * ...), run as child processes with the ruleset on a pipe, as kube-proxy's iptables mode does
 * ({@code iptables-restore --noflush --wait}). With a namespace path they run under {@code nsenter
 * --net=PATH}.
 */
public final class IptablesCommands {
  /** How long one tool may run (kube-proxy waits 5 s for the xtables lock). */
  static final Duration TIMEOUT = Duration.ofSeconds(60);

  /** What a tool printed and how it ended. */
  public record Result(int exit, String stdout, String stderr) {}

  /** Runs a tool; a fake in unit tests. */
  @FunctionalInterface
  public interface Runner {
    Result run(List<String> argv, String stdin) throws NetfilterException;
  }

  private final IptablesMode.Flavour flavour;
  private final Optional<Path> netns;
  private final Runner runner;

  public IptablesCommands(IptablesMode.Flavour flavour, Optional<Path> netns, Runner runner) {
    this.flavour = flavour;
    this.netns = netns;
    this.runner = runner;
  }

  /** Child processes of this JVM. */
  public static Runner processes() {
    return IptablesCommands::runProcess;
  }

  /**
   * Whether the tools of {@code flavour} work in {@code netns}: {@code iptables-<flavour>-save -t
   * nat} exits 0 (it fails without CAP_NET_ADMIN; legacy instantiates the nat table, which the back
   * end needs anyway).
   */
  public static io.berth.netfilter.detect.Availability probe(
      IptablesMode.Flavour flavour, Optional<Path> netns) {
    IptablesCommands tools = new IptablesCommands(flavour, netns, processes());
    String save = tools.tool(false, "save");
    try {
      Result r = tools.save(false, "nat");
      return r.exit() == 0
          ? io.berth.netfilter.detect.Availability.yes(save + " -t nat works")
          : io.berth.netfilter.detect.Availability.no(
              save + " -t nat failed (exit " + r.exit() + "): " + r.stderr().strip());
    } catch (NetfilterException e) {
      return io.berth.netfilter.detect.Availability.no(e.getMessage());
    }
  }

  /** Whether {@code iptables-<flavour>-restore} is an executable on the PATH. */
  public static boolean installed(IptablesMode.Flavour flavour) {
    String tool =
        new IptablesCommands(flavour, Optional.empty(), processes()).tool(false, "restore");
    String path = System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
    for (String dir : path.split(":")) {
      if (!dir.isEmpty() && java.nio.file.Files.isExecutable(Path.of(dir, tool))) {
        return true;
      }
    }
    return false;
  }

  public IptablesMode.Flavour flavour() {
    return flavour;
  }

  /** {@code iptables-<flavour>-restore} or {@code ip6tables-...}. */
  public String tool(boolean ipv6, String what) {
    return (ipv6 ? "ip6tables-" : "iptables-")
        + flavour.name().toLowerCase(Locale.ROOT)
        + "-"
        + what;
  }

  /** {@code iptables-restore --noflush --wait 5} with {@code input} on stdin. */
  public Result restore(boolean ipv6, String input) throws NetfilterException {
    return run(List.of(tool(ipv6, "restore"), "--noflush", "--wait", "5"), input);
  }

  /** {@code iptables-save -t TABLE}. */
  public Result save(boolean ipv6, String table) throws NetfilterException {
    return run(List.of(tool(ipv6, "save"), "-t", table), "");
  }

  private Result run(List<String> argv, String stdin) throws NetfilterException {
    List<String> full = new ArrayList<>();
    netns.ifPresent(p -> full.addAll(List.of("nsenter", "--net=" + p, "--")));
    full.addAll(argv);
    return runner.run(full, stdin);
  }

  private static Result runProcess(List<String> argv, String stdin) throws NetfilterException {
    Process p;
    try {
      p = new ProcessBuilder(argv).start();
    } catch (IOException e) {
      throw new NetfilterException("cannot run " + argv.getFirst() + ": " + e.getMessage(), e);
    }
    CompletableFuture<String> out = drain(p.getInputStream());
    CompletableFuture<String> err = drain(p.getErrorStream());
    try (OutputStream in = p.getOutputStream()) {
      in.write(stdin.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      // the tool exited early; its exit code and stderr say why
    }
    try {
      if (!p.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new NetfilterException(
            String.join(" ", argv) + " did not finish within " + TIMEOUT.toSeconds() + " s");
      }
      return new Result(p.exitValue(), out.join(), err.join());
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new NetfilterException("interrupted waiting for " + argv.getFirst(), e);
    }
  }

  private static CompletableFuture<String> drain(InputStream s) {
    return CompletableFuture.supplyAsync(
        () -> {
          try (s) {
            return new String(s.readAllBytes(), StandardCharsets.UTF_8);
          } catch (IOException e) {
            return "";
          }
        },
        r -> Thread.ofVirtual().start(r));
  }
}
