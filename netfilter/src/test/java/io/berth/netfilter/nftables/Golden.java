package io.berth.netfilter.nftables;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Golden-file comparison. Run with {@code -Dgolden.update=true} to (re)write the files under {@code
 * src/test/resources/golden/}; review the diff before committing.
 */
final class Golden {
  private static final Path DIR = Path.of("src/test/resources/golden");

  private Golden() {}

  static void assertMatches(String name, String actual) throws IOException {
    Path file = DIR.resolve(name + ".nft");
    if (Boolean.getBoolean("golden.update") || !Files.exists(file)) {
      Files.createDirectories(DIR);
      Files.writeString(file, actual);
    }
    assertThat(actual)
        .as("golden file %s (update with -Dgolden.update=true)", file)
        .isEqualTo(Files.readString(file));
  }
}
