package io.berth.agent.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class PodEventsTest {
  @Test
  void pullDurationsReadAsGoPrintsThem() {
    assertThat(PodEvents.goMillis(Duration.ofNanos(523_456_789))).isEqualTo("523ms");
    assertThat(PodEvents.goMillis(Duration.ofMillis(1500))).isEqualTo("1.5s");
    assertThat(PodEvents.goMillis(Duration.ofMillis(2000))).isEqualTo("2s");
    assertThat(PodEvents.goMillis(Duration.ofMillis(15_981))).isEqualTo("15.981s");
    assertThat(PodEvents.goMillis(Duration.ofMillis(123_250))).isEqualTo("2m3.25s");
    assertThat(PodEvents.goMillis(Duration.ofMinutes(61))).isEqualTo("1h1m0s");
  }
}
