package io.berth.cri;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Output and exit code of a command run with {@code ExecSync}. Byte arrays are copied. */
public record ExecSyncResult(byte[] stdout, byte[] stderr, int exitCode) {
  public ExecSyncResult {
    stdout = stdout == null ? new byte[0] : stdout.clone();
    stderr = stderr == null ? new byte[0] : stderr.clone();
  }

  @Override
  public byte[] stdout() {
    return stdout.clone();
  }

  @Override
  public byte[] stderr() {
    return stderr.clone();
  }

  public String stdoutUtf8() {
    return new String(stdout, StandardCharsets.UTF_8);
  }

  public String stderrUtf8() {
    return new String(stderr, StandardCharsets.UTF_8);
  }

  public boolean succeeded() {
    return exitCode == 0;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ExecSyncResult r
        && exitCode == r.exitCode
        && Arrays.equals(stdout, r.stdout)
        && Arrays.equals(stderr, r.stderr);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * Arrays.hashCode(stdout) + Arrays.hashCode(stderr)) + exitCode;
  }

  @Override
  public String toString() {
    return "ExecSyncResult[exitCode="
        + exitCode
        + ", stdout="
        + stdout.length
        + " bytes, stderr="
        + stderr.length
        + " bytes]";
  }
}
