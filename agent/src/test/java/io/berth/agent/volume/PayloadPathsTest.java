package io.berth.agent.volume;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PayloadPathsTest {
  @ParameterizedTest
  @ValueSource(strings = {"key", "dir/key", "a.b", ".hidden", "a..b", "dir/..x"})
  void acceptsRelativePathsWithoutBacksteps(String path) {
    assertThat(PayloadPaths.problem(path)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"", "/etc/passwd", "..", "../x", "a/../../x", "a/..", "..data", "..2026_x/key"})
  void refusesTraversalAbsoluteAndReservedPaths(String path) {
    assertThat(PayloadPaths.problem(path)).isPresent();
  }

  @ParameterizedTest
  @ValueSource(ints = {4097})
  void refusesOverlongPaths(int length) {
    assertThat(PayloadPaths.problem("a".repeat(length)))
        .contains("must not be longer than 4096 characters");
    assertThat(PayloadPaths.problem("d/" + "b".repeat(256))).isPresent();
  }
}
