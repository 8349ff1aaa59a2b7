package io.berth.metrics.live;

import io.berth.metrics.Fixtures;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The reviewed golden expositions also pass {@code promtool check metrics}. */
class PromtoolGoldenIT {

  @ParameterizedTest
  @ValueSource(strings = {"cadvisor-v1.txt", "cadvisor-v2.txt", "resource-v1.txt"})
  void goldenFilesPassPromtool(String name) throws Exception {
    LiveCgroupIT.assertPromtoolAccepts(Fixtures.text("golden/" + name));
  }
}
