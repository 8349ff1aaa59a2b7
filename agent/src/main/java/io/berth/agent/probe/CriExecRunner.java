package io.berth.agent.probe;

import io.berth.cri.ExecSyncResult;
import io.berth.cri.RuntimeService;
import io.berth.probes.prober.ExecRunner;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * Exec probes through the CRI's {@code ExecSync}. Each call runs on its own virtual thread, so a
 * slow command holds no platform thread. The probe's timeout goes to the runtime, which kills the
 * command. When the prober gives up first and cancels the returned stage, the thread is interrupted
 * and grpc-java cancels the RPC.
 */
public final class CriExecRunner implements ExecRunner {
  private final Supplier<RuntimeService> runtime;

  /** {@code runtime} gives the connected runtime (it may throw while there is none). */
  public CriExecRunner(Supplier<RuntimeService> runtime) {
    this.runtime = runtime;
  }

  @Override
  public CompletionStage<ExecResult> execSync(
      String containerId, List<String> command, Duration timeout) {
    var result = new CompletableFuture<ExecResult>();
    Thread call =
        Thread.ofVirtual()
            .name("berth-exec-probe-" + containerId)
            .start(
                () -> {
                  try {
                    ExecSyncResult r =
                        runtime.get().execSync(containerId, command, roundUp(timeout));
                    result.complete(new ExecResult(r.exitCode(), r.stdout(), r.stderr()));
                  } catch (RuntimeException e) {
                    result.completeExceptionally(e);
                  }
                });
    result.whenComplete(
        (r, e) -> {
          if (result.isCancelled()) {
            call.interrupt();
          }
        });
    return result;
  }

  /** The CRI takes whole seconds; a probe timeout of 1.5 s must not become 1 s. */
  static Duration roundUp(Duration timeout) {
    long seconds = timeout.getSeconds() + (timeout.getNano() > 0 ? 1 : 0);
    return Duration.ofSeconds(Math.max(1, seconds));
  }
}
