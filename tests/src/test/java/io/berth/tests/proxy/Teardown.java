package io.berth.tests.proxy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The proxy and soak ITs' clean-up: processes they started, then fixtures, then the scratch
 * directory.
 */
public final class Teardown {
  private Teardown() {}

  /**
   * Stops each live process (TERM, then KILL after 20 s), closes each fixture in order (null ones
   * skipped), deletes {@code dir}; rethrows the first fixture failure after trying them all.
   */
  public static void stop(List<Process> processes, List<AutoCloseable> fixtures, Path dir)
      throws Exception {
    for (Process p : processes) {
      if (p != null && p.isAlive()) {
        p.destroy();
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      }
    }
    List<Exception> failures = new ArrayList<>();
    for (AutoCloseable c : fixtures) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception e) {
        failures.add(e);
      }
    }
    if (dir != null) {
      try (var walk = Files.walk(dir)) {
        walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
    if (!failures.isEmpty()) {
      throw failures.getFirst();
    }
  }
}
