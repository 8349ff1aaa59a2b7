package io.berth.probes.prober;

import io.berth.probes.ProbeResult;
import io.berth.probes.ProbeScheduler;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@code exec} probes through an {@link ExecRunner}: exit code 0 is success, any other a failure
 * carrying the output (stdout then stderr, at most 10 KiB); no answer within the timeout is a
 * failure "command ... timed out" and the runner's call is cancelled; a runner error is UNKNOWN (a
 * prober error, which the worker throws away).
 */
public final class ExecProber {
  static final int MAX_OUTPUT_BYTES = 10 * 1024;

  private final ExecRunner runner;
  private final ProbeScheduler scheduler;

  public ExecProber(ExecRunner runner, ProbeScheduler scheduler) {
    this.runner = runner;
    this.scheduler = scheduler;
  }

  public CompletionStage<ProbeResult> probe(
      String containerId, List<String> command, Duration timeout) {
    var result = new CompletableFuture<ProbeResult>();
    CompletableFuture<ExecRunner.ExecResult> call;
    try {
      call = runner.execSync(containerId, command, timeout).toCompletableFuture();
    } catch (RuntimeException e) {
      return CompletableFuture.completedFuture(
          ProbeResult.unknown("exec in container " + containerId + " failed: " + e));
    }
    var timer =
        scheduler.schedule(
            timeout,
            () -> {
              if (result.complete(
                  ProbeResult.failure("command \"" + String.join(" ", command) + "\" timed out"))) {
                call.cancel(true);
              }
            });
    call.whenComplete(
        (exec, error) -> {
          timer.cancel();
          if (error != null) {
            result.complete(
                ProbeResult.unknown(
                    "exec in container " + containerId + " failed: " + TcpProber.unwrap(error)));
            return;
          }
          var output = output(exec);
          result.complete(
              exec.exitCode() == 0 ? ProbeResult.success(output) : ProbeResult.failure(output));
        });
    return result;
  }

  private static String output(ExecRunner.ExecResult exec) {
    var out = new byte[Math.min(MAX_OUTPUT_BYTES, exec.stdout().length + exec.stderr().length)];
    int n = Math.min(out.length, exec.stdout().length);
    System.arraycopy(exec.stdout(), 0, out, 0, n);
    System.arraycopy(exec.stderr(), 0, out, n, out.length - n);
    return new String(out, StandardCharsets.UTF_8);
  }
}
