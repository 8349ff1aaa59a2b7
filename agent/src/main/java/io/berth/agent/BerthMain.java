package io.berth.agent;

import io.berth.agent.nodeconfig.BerthConfig;
import io.berth.agent.nodeconfig.ConfigException;
import io.berth.cri.CriException;
import java.io.PrintStream;
import java.util.List;

/**
 * berth's command line.
 *
 * <pre>
 *   berth version
 *   berth runtime-info [--container-runtime-endpoint unix:///run/containerd/containerd.sock]
 *   berth config print-defaults
 *   berth run [--config /etc/berth/config.yaml] [--container-runtime-endpoint ...] [--address 127.0.0.1] [--port 10248]
 *             [--pod-manifest-path /etc/berth/manifests] [--cgroup-root /kubepods] ...
 *   berth cleanup    (removes berth's nftables tables ip/ip6 berth, nothing else)
 * </pre>
 *
 * <p>Expected failures (bad flags, an invalid config file, an unreachable or incompatible runtime)
 * print one line starting with {@code berth:} on standard error and exit with status 1 or 2; only
 * bugs print stack traces.
 */
public final class BerthMain {
  static final String DEFAULT_RUNTIME_ENDPOINT = "unix:///run/containerd/containerd.sock";

  /** The kubelet's loopback healthz port; berth serves its local API there until 10250 lands. */
  static final int DEFAULT_PORT = 10248;

  private final PrintStream out;
  private final PrintStream err;

  BerthMain(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  public static void main(String[] args) {
    System.exit(new BerthMain(System.out, System.err).run(List.of(args)));
  }

  /** Runs one command; returns the process exit status. */
  int run(List<String> args) {
    try {
      CommandLine cmd = CommandLine.parse(args);
      return switch (cmd.command()) {
        case "version" -> {
          out.println("berth " + BerthVersion.current());
          yield 0;
        }
        case "runtime-info" ->
            new RuntimeInfoCommand(out)
                .run(
                    cmd.accepting("container-runtime-endpoint")
                        .value("container-runtime-endpoint", DEFAULT_RUNTIME_ENDPOINT));
        case "run" -> RunCommand.run(RunCommand.settings(cmd));
        case "pods" -> {
          cmd.accepting("server", "output");
          yield new PodsCommand(out, java.time.Clock.systemUTC())
              .run(
                  cmd.value("server", "http://127.0.0.1:" + DEFAULT_PORT),
                  cmd.value("output", "wide"));
        }
        case "cleanup" -> new CleanupCommand(out, err).run(cmd.accepting());
        case "config" -> {
          cmd.acceptingArgs(1);
          if (!cmd.args().equals(List.of("print-defaults"))) {
            throw new UsageException("berth config: the one subcommand is print-defaults");
          }
          out.print(BerthConfig.defaults().toYaml());
          yield 0;
        }
        case "probes" -> {
          cmd.accepting("server", "output");
          yield new ProbesCommand(out)
              .run(
                  cmd.value("server", "http://127.0.0.1:" + DEFAULT_PORT),
                  cmd.value("output", "wide"));
        }
        case "help" -> {
          out.println(CommandLine.USAGE);
          yield 0;
        }
        default -> throw new UsageException("unknown command '" + cmd.command() + "'");
      };
    } catch (UsageException e) {
      err.println("berth: " + e.getMessage());
      err.println(CommandLine.USAGE);
      return 2;
    } catch (ConfigException e) {
      err.println("berth: " + e.getMessage());
      return 2;
    } catch (CriException e) {
      err.println("berth: " + e.getMessage());
      return 1;
    }
  }
}
