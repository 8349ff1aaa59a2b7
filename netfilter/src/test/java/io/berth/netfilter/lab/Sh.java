package io.berth.netfilter.lab;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a command to completion and captures its output (test helper). */
public final class Sh {
  private Sh() {}

  /** Exit code, stdout, stderr and wall time of one command. */
  public record Result(int exit, String out, String err, long millis) {
    public boolean ok() {
      return exit == 0;
    }
  }

  public static Result run(List<String> cmd, long timeoutSeconds) {
    long t0 = System.nanoTime();
    try {
      Process p =
          new ProcessBuilder(cmd)
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
              .start();
      byte[][] io = new byte[2][];
      Thread errReader = Thread.ofVirtual().start(() -> io[1] = readAll(p.getErrorStream()));
      io[0] = readAll(p.getInputStream());
      if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        p.waitFor();
        throw new IllegalStateException("timed out after " + timeoutSeconds + " s: " + cmd);
      }
      errReader.join();
      return new Result(
          p.exitValue(),
          new String(io[0], StandardCharsets.UTF_8),
          new String(io[1], StandardCharsets.UTF_8),
          (System.nanoTime() - t0) / 1_000_000);
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + cmd, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running " + cmd, e);
    }
  }

  /** Runs and requires exit code 0. */
  public static String check(String... cmd) {
    Result r = run(List.of(cmd), 60);
    if (!r.ok()) {
      throw new IllegalStateException(
          "command failed (" + r.exit() + "): " + String.join(" ", cmd) + "\n" + r.err() + r.out());
    }
    return r.out();
  }

  private static byte[] readAll(java.io.InputStream in) {
    try (in) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new IllegalStateException("reading process output", e);
    }
  }
}
