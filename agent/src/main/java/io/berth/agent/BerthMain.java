package io.berth.agent;

import io.berth.agent.cli.CliException;
import io.berth.agent.cli.DescribeCommand;
import io.berth.agent.cli.LocalApi;
import io.berth.agent.cli.LogsCommand;
import io.berth.agent.cli.Palette;
import io.berth.agent.logging.LogFormat;
import io.berth.agent.logging.LogSettings;
import io.berth.agent.nodeconfig.BerthConfig;
import io.berth.agent.nodeconfig.ConfigException;
import io.berth.cri.CriException;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;

/**
 * berth's command line.
 *
 * <pre>
 *   berth version
 *   berth runtime-info [--container-runtime-endpoint unix:///run/containerd/containerd.sock]
 *   berth config print-defaults
 *   berth describe pod NAME [-n NS] [-o text|json]
 *   berth logs POD [-c CONTAINER] [-n NS] [-f] [--tail N] [--previous] [--timestamps]
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
  private final Map<String, String> env;

  BerthMain(PrintStream out, PrintStream err) {
    this(out, err, Map.of());
  }

  BerthMain(PrintStream out, PrintStream err, Map<String, String> env) {
    this.out = out;
    this.err = err;
    this.env = env;
  }

  public static void main(String[] args) {
    System.exit(new BerthMain(System.out, System.err, System.getenv()).run(List.of(args)));
  }

  /** {@code --tail N}: N >= 0 lines, or -1 for all. */
  private static int tail(String v) {
    try {
      int n = Integer.parseInt(v);
      if (n >= -1) {
        return n;
      }
    } catch (NumberFormatException e) {
      // the usage error below
    }
    throw new UsageException(
        "option --tail must be a number of lines (or -1 for all), got '" + v + "'");
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
        case "run" -> {
          try {
            LogSettings.format(LogFormat.choose(cmd.value("log-format", ""), env));
          } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
          }
          yield RunCommand.run(RunCommand.settings(cmd));
        }
        case "pods" -> {
          cmd.accepting("server", "output");
          yield new PodsCommand(out, java.time.Clock.systemUTC(), Palette.forStdout(env))
              .run(
                  cmd.value("server", "http://127.0.0.1:" + DEFAULT_PORT),
                  cmd.value("output", "wide"));
        }
        case "cleanup" -> new CleanupCommand(out, err).run(cmd.accepting());
        case "describe" -> {
          cmd.acceptingArgs(2, "server", "output", "namespace");
          if (cmd.args().size() != 2 || !List.of("pod", "pods", "po").contains(cmd.args().get(0))) {
            throw new UsageException(
                "berth describe: give the kind and name, e.g. 'describe pod web'");
          }
          yield new DescribeCommand(out, Palette.forStdout(env))
              .run(
                  new LocalApi(cmd.value("server", "http://127.0.0.1:" + DEFAULT_PORT)),
                  cmd.options().get("namespace"),
                  cmd.args().get(1),
                  cmd.value("output", "text"));
        }
        case "logs" -> {
          cmd.acceptingArgs(
              1,
              "container",
              "namespace",
              "follow",
              "tail",
              "previous",
              "timestamps",
              "pod-logs-dir");
          if (cmd.args().size() != 1) {
            throw new UsageException("berth logs: give the pod's name, e.g. 'logs web -c httpd'");
          }
          yield new LogsCommand(out, java.time.Duration.ofMillis(250))
              .run(
                  new LogsCommand.Request(
                      java.nio.file.Path.of(cmd.value("pod-logs-dir", "/var/log/pods")),
                      cmd.value("namespace", "default"),
                      cmd.args().get(0),
                      cmd.options().get("container"),
                      cmd.flag("follow"),
                      tail(cmd.value("tail", "-1")),
                      cmd.flag("previous"),
                      cmd.flag("timestamps")));
        }
        case "config" -> {
          cmd.acceptingArgs(1);
          if (!cmd.args().equals(List.of("print-defaults"))) {
            throw new UsageException("berth config: the one subcommand is print-defaults");
          }
          out.print(BerthConfig.defaults().toYaml());
          yield 0;
        }
        case "services", "svc" -> {
          cmd.accepting("server", "output");
          yield new ServicesCommand(out, java.time.Clock.systemUTC())
              .run(
                  cmd.value("server", "http://127.0.0.1:" + DEFAULT_PORT),
                  cmd.value("output", "wide"));
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
    } catch (CliException e) {
      err.println("berth: " + e.getMessage());
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 130;
    } catch (ConfigException e) {
      err.println("berth: " + e.getMessage());
      return 2;
    } catch (CriException e) {
      err.println("berth: " + e.getMessage());
      return 1;
    }
  }
}
