package io.berth.agent.kubeapi;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.agent.testing.FakeClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetryBackoffTest {
  private final FakeClock clock = new FakeClock();

  @Test
  void doublesFromEightHundredMillisToThirtySecondsPlusJitter() {
    RetryBackoff noJitter =
        new RetryBackoff(
            Duration.ofMillis(800),
            Duration.ofSeconds(30),
            Duration.ofMinutes(2),
            clock,
            () -> 0.0);
    assertThat(noJitter.next()).isEqualTo(Duration.ofMillis(800));
    assertThat(noJitter.next()).isEqualTo(Duration.ofMillis(1600));
    for (int i = 0; i < 10; i++) {
      noJitter.next();
    }
    assertThat(noJitter.next()).isEqualTo(Duration.ofSeconds(30));

    RetryBackoff fullJitter =
        new RetryBackoff(
            Duration.ofMillis(800),
            Duration.ofSeconds(30),
            Duration.ofMinutes(2),
            clock,
            () -> 0.999);
    assertThat(fullJitter.next()).isBetween(Duration.ofMillis(1590), Duration.ofMillis(1600));
  }

  @Test
  void startsOverAfterASuccessOrTwoQuietMinutes() {
    RetryBackoff b =
        new RetryBackoff(
            Duration.ofMillis(800),
            Duration.ofSeconds(30),
            Duration.ofMinutes(2),
            clock,
            () -> 0.0);
    b.next();
    b.next();
    b.reset();
    assertThat(b.next()).isEqualTo(Duration.ofMillis(800));
    b.next();
    clock.advance(Duration.ofMinutes(3));
    assertThat(b.next()).isEqualTo(Duration.ofMillis(800));
  }
}
