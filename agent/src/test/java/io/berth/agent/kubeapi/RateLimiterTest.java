package io.berth.agent.kubeapi;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.agent.testing.FakeClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RateLimiterTest {
  private final FakeClock clock = new FakeClock();
  private final List<Duration> waits = new ArrayList<>();
  private final RateLimiter limiter =
      new RateLimiter(
          50,
          100,
          clock,
          d -> {
            waits.add(d);
            clock.advance(d);
          });

  @Test
  void aBurstOfOneHundredPassesThenFiftyPerSecond() throws InterruptedException {
    for (int i = 0; i < 100; i++) {
      limiter.acquire();
    }
    assertThat(waits).isEmpty();
    limiter.acquire();
    assertThat(waits).containsExactly(Duration.ofMillis(20));
    for (int i = 0; i < 49; i++) {
      limiter.acquire();
    }
    assertThat(waits.stream().reduce(Duration.ZERO, Duration::plus))
        .isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void idleTimeRefillsUpToTheBurstOnly() throws InterruptedException {
    for (int i = 0; i < 100; i++) {
      limiter.acquire();
    }
    clock.advance(Duration.ofMinutes(10));
    for (int i = 0; i < 100; i++) {
      limiter.acquire();
    }
    assertThat(waits).isEmpty();
    limiter.acquire();
    assertThat(waits).containsExactly(Duration.ofMillis(20));
  }

  @Test
  void theHeartbeatsLimiterNeverWaits() throws InterruptedException {
    RateLimiter unlimited = RateLimiter.unlimited(clock, waits::add);
    for (int i = 0; i < 10_000; i++) {
      unlimited.acquire();
    }
    assertThat(waits).as("10,000 requests at once, far past any burst").isEmpty();
  }
}
