package io.berth.agent.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.agent.testing.FakeClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Runner timing on a fake clock: nothing sleeps. */
class BoundedFrequencyRunnerTest {
  private static final Duration MIN = Duration.ofSeconds(1);
  private static final Duration MAX = Duration.ofSeconds(30);
  private final FakeClock clock = new FakeClock();
  private final FakeScheduler scheduler = new FakeScheduler(clock);
  private final Instant t0 = clock.instant();
  private final List<Duration> runs = new ArrayList<>(); // run start times relative to t0
  private Consumer<BoundedFrequencyRunner> body = r -> {};
  private BoundedFrequencyRunner runner;

  private BoundedFrequencyRunner runner(int burst) {
    runner =
        new BoundedFrequencyRunner(
            "test",
            () -> {
              runs.add(Duration.between(t0, clock.instant()));
              body.accept(runner);
            },
            MIN,
            MAX,
            burst,
            clock,
            scheduler);
    runner.start();
    return runner;
  }

  private static Duration ms(long ms) {
    return Duration.ofMillis(ms);
  }

  @Test
  void runCallsCoalesceIntoOneRun() {
    BoundedFrequencyRunner r = runner(1);
    for (int i = 0; i < 5; i++) {
      r.run();
    }
    scheduler.runDue();

    assertThat(runs).containsExactly(ms(0));
  }

  @Test
  void burstRunsBackToBackThenOnePerMinInterval() {
    BoundedFrequencyRunner r = runner(2);
    for (int i = 0; i < 4; i++) {
      r.run();
      scheduler.advance(ms(100));
    }
    scheduler.advance(Duration.ofSeconds(3));

    // two tokens at once; the bucket refills one token per second from the first run, so the
    // third run waits until 1 s; the fourth request coalesced with it.
    assertThat(runs).containsExactly(ms(0), ms(100), ms(1000));
  }

  @Test
  void minIntervalSpacesRunsWithoutBurst() {
    BoundedFrequencyRunner r = runner(1);
    r.run();
    scheduler.advance(ms(300));
    r.run();
    scheduler.advance(ms(300));
    r.run();
    scheduler.advance(Duration.ofSeconds(2));

    assertThat(runs).containsExactly(ms(0), ms(1000));
  }

  @Test
  void maxIntervalRunsWithoutAnyRequestMeasuredFromTheEndOfTheLastRun() {
    body = r -> clock.advance(ms(500)); // each run takes 0.5 s
    runner(1);
    scheduler.advance(Duration.ofSeconds(61));

    assertThat(runs).containsExactly(Duration.ofSeconds(30), Duration.ofMillis(60_500));
  }

  @Test
  void retryAfterRunsOnceAfterTheDelayUnlessARunHappensSooner() {
    BoundedFrequencyRunner r = runner(1);
    r.retryAfter(Duration.ofSeconds(5));
    scheduler.advance(Duration.ofSeconds(6));
    assertThat(runs).containsExactly(Duration.ofSeconds(5));

    r.retryAfter(Duration.ofSeconds(5)); // at 11 s
    scheduler.advance(Duration.ofSeconds(2));
    r.run(); // at 8 s: runs now and cancels the retry
    scheduler.advance(Duration.ofSeconds(10));

    assertThat(runs).containsExactly(Duration.ofSeconds(5), Duration.ofSeconds(8));
  }

  @Test
  void aFailingRunAsksForItsOwnRetry() {
    body =
        r -> {
          if (runs.size() < 3) {
            r.retryAfter(Duration.ofSeconds(2)); // what the proxier does after a failed sync
          }
        };
    runner(1).run();
    scheduler.advance(Duration.ofSeconds(10));

    assertThat(runs).containsExactly(ms(0), ms(2000), ms(4000));
  }

  @Test
  void runRequestedDuringARunHappensAfterItRespectingMinInterval() {
    body =
        r -> {
          if (runs.size() == 1) {
            r.run();
          }
        };
    runner(1).run();
    scheduler.advance(Duration.ofSeconds(5));

    assertThat(runs).containsExactly(ms(0), ms(1000));
  }

  @Test
  void anExceptionIsLoggedAndRetried() {
    body =
        r -> {
          if (runs.size() == 1) {
            throw new IllegalStateException("boom");
          }
        };
    runner(1).run();
    scheduler.advance(Duration.ofSeconds(5));

    assertThat(runs).containsExactly(ms(0), ms(1000));
  }

  @Test
  void stopCancelsTheTimers() {
    BoundedFrequencyRunner r = runner(1);
    r.stop();
    r.run();
    scheduler.advance(Duration.ofMinutes(2));

    assertThat(runs).isEmpty();
    assertThat(scheduler.pending()).isZero();
  }
}
