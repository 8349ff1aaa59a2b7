package io.berth.agent.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.agent.testing.FakeClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ProxyHealthTest {
  private final FakeClock clock = new FakeClock();
  private final ProxyHealth health = new ProxyHealth(clock, Duration.ofSeconds(60));

  @Test
  void healthyWhileStartingAndWhenSynced() {
    assertThat(health.status().healthy()).isTrue();
    assertThat(health.status().lastUpdated()).isEmpty();
    health.queuedUpdate();
    clock.advance(Duration.ofSeconds(59));
    health.updated();
    clock.advance(Duration.ofHours(1));
    assertThat(health.status().healthy()).isTrue();
  }

  @Test
  void theOldestQueuedUpdateCounts() {
    health.queuedUpdate();
    clock.advance(Duration.ofSeconds(40));
    health.queuedUpdate();
    clock.advance(Duration.ofSeconds(21));

    assertThat(health.status().healthy()).isFalse();
    assertThat(health.status().httpStatus()).isEqualTo(503);
  }
}
