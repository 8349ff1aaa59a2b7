package io.berth.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Golden-file comparison. Run with {@code -Dberth.updateGolden=true} to rewrite the files under
 * src/test/resources/golden after a deliberate change, then review the diff.
 */
public final class Golden {
  private Golden() {}

  public static void assertMatches(String name, String actual) {
    if (Boolean.getBoolean("berth.updateGolden")) {
      try {
        Path file = Path.of("src/test/resources/golden", name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, actual, StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return;
    }
    assertThat(actual).isEqualTo(Fixtures.text("golden/" + name));
  }
}
