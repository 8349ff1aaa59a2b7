package io.berth.agent;

import io.berth.cri.CriRuntime;
import io.berth.cri.RuntimeCondition;
import io.berth.cri.RuntimeStatus;
import io.berth.cri.VersionInfo;
import java.io.PrintStream;

/**
 * {@code berth runtime-info}: connects to the CRI runtime the way the agent does (runtime.v1 over
 * the Unix socket, version negotiated) and prints its version and readiness conditions.
 *
 * <p>Exit status 0 when the runtime reports RuntimeReady and NetworkReady, 3 when it answers but is
 * not ready; connection and protocol failures surface as {@link io.berth.cri.CriException}.
 */
final class RuntimeInfoCommand {
  private final PrintStream out;

  RuntimeInfoCommand(PrintStream out) {
    this.out = out;
  }

  int run(String endpoint) {
    try (CriRuntime cri = CriRuntime.connect(endpoint)) {
      VersionInfo v = cri.version();
      RuntimeStatus status = cri.runtime().status();
      out.printf("endpoint:        %s%n", cri.endpoint());
      out.printf("runtime:         %s %s%n", v.runtimeName(), v.runtimeVersion());
      out.printf("CRI API version: %s%n", v.runtimeApiVersion());
      for (RuntimeCondition c : status.conditions()) {
        out.printf(
            "%-16s %s%s%n",
            c.type() + ":",
            c.status(),
            c.reason().isEmpty() ? "" : " (" + c.reason() + ": " + c.message() + ")");
      }
      boolean ready = status.runtimeReady() && status.networkReady();
      out.println("ready:           " + ready);
      return ready ? 0 : 3;
    }
  }
}
