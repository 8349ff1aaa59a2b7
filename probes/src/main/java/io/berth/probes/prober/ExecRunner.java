package io.berth.probes.prober;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionStage;

/**
 * Runs a command in a container and collects its output: the CRI's {@code ExecSync}. The agent
 * backs it with its CRI client; tests use a fake. The prober enforces {@code timeout} on its own
 * and cancels the returned stage when it expires, so an implementation may pass the timeout on to
 * the runtime and should abort the call on cancellation.
 */
@FunctionalInterface
public interface ExecRunner {

  CompletionStage<ExecResult> execSync(String containerId, List<String> command, Duration timeout);

  /** What {@code ExecSync} returns. */
  record ExecResult(int exitCode, byte[] stdout, byte[] stderr) {
    public ExecResult {
      Objects.requireNonNull(stdout, "stdout");
      Objects.requireNonNull(stderr, "stderr");
    }
  }
}
