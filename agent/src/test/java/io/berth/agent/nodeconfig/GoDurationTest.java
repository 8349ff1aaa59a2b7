package io.berth.agent.nodeconfig;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class GoDurationTest {
  @Test
  void parsesWhatKubernetesConfigFilesWrite() {
    assertThat(GoDuration.parse("20s")).isEqualTo(Duration.ofSeconds(20));
    assertThat(GoDuration.parse("1m30s")).isEqualTo(Duration.ofSeconds(90));
    assertThat(GoDuration.parse("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(GoDuration.parse("1.5h")).isEqualTo(Duration.ofMinutes(90));
    assertThat(GoDuration.parse("2h0m0s")).isEqualTo(Duration.ofHours(2));
    assertThat(GoDuration.parse("0")).isEqualTo(Duration.ZERO);
    assertThat(GoDuration.parse("-1s")).isEqualTo(Duration.ofSeconds(-1));
  }

  @Test
  void refusesNumbersWithoutUnitsAndGarbage() {
    for (String bad : new String[] {"20", "s", "1d", "1m 30s", "", "ten seconds"}) {
      assertThatThrownBy(() -> GoDuration.parse(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("not a duration");
    }
  }

  @Test
  void formatsAsGoDoes() {
    assertThat(GoDuration.format(Duration.ofSeconds(20))).isEqualTo("20s");
    assertThat(GoDuration.format(Duration.ofSeconds(60))).isEqualTo("1m0s");
    assertThat(GoDuration.format(Duration.ofHours(24))).isEqualTo("24h0m0s");
    assertThat(GoDuration.format(Duration.ofMillis(1500))).isEqualTo("1.5s");
    assertThat(GoDuration.format(Duration.ofMillis(250))).isEqualTo("250ms");
    assertThat(GoDuration.format(Duration.ZERO)).isEqualTo("0s");
  }
}
