package io.berth.agent;

import io.berth.cri.CriException;
import java.io.PrintStream;
import java.util.List;

/**
 * berth's command line.
 *
 * <pre>
 *   berth version
 *   berth runtime-info [--container-runtime-endpoint unix:///run/containerd/containerd.sock]
 * </pre>
 *
 * <p>Expected failures (bad flags, an unreachable or incompatible runtime) print one line starting
 * with {@code berth:} on standard error and exit with status 1 or 2; only bugs print stack traces.
 */
public final class BerthMain {
  static final String DEFAULT_RUNTIME_ENDPOINT = "unix:///run/containerd/containerd.sock";

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
                .run(cmd.option("container-runtime-endpoint", DEFAULT_RUNTIME_ENDPOINT));
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
    } catch (CriException e) {
      err.println("berth: " + e.getMessage());
      return 1;
    }
  }
}
