package io.berth.agent.systemd;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.agent.testing.FakeClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WatchdogKeeperTest {
  /** Records what would have gone to systemd. */
  static final class RecordingNotifier implements SdNotifier {
    final List<String> sent = new ArrayList<>();

    @Override
    public void notify(String assignments) {
      sent.add(assignments);
    }

    @Override
    public boolean enabled() {
      return true;
    }

    @Override
    public void close() {}
  }

  private final FakeClock clock = new FakeClock(Instant.parse("2026-11-24T10:00:00Z"));
  private final Heartbeat heartbeat = new Heartbeat(clock);
  private final RecordingNotifier systemd = new RecordingNotifier();
  private final WatchdogKeeper keeper =
      new WatchdogKeeper(systemd, heartbeat, Duration.ofSeconds(10));

  @Test
  void pingsEveryHalfIntervalWhileTheLoopBeats() {
    assertThat(keeper.pingPeriod()).isEqualTo(Duration.ofSeconds(5));
    for (int i = 0; i < 4; i++) {
      clock.advance(Duration.ofSeconds(5));
      heartbeat.beat();
      assertThat(keeper.tick()).isTrue();
    }
    assertThat(systemd.sent)
        .containsExactly("WATCHDOG=1", "WATCHDOG=1", "WATCHDOG=1", "WATCHDOG=1");
  }

  @Test
  void withholdsPingsWhileTheLoopIsStuckAndResumesWhenItBeatsAgain() {
    heartbeat.beat();
    clock.advance(Duration.ofSeconds(5));
    assertThat(keeper.tick()).isTrue(); // 5 s old: still within the 10 s interval

    clock.advance(Duration.ofSeconds(6)); // 11 s without a beat: the loop is stuck
    assertThat(keeper.tick()).isFalse();
    clock.advance(Duration.ofSeconds(5));
    assertThat(keeper.tick()).isFalse();

    heartbeat.beat();
    assertThat(keeper.tick()).isTrue();
    assertThat(systemd.sent).containsExactly("WATCHDOG=1", "WATCHDOG=1");
  }

  @Test
  void intervalComesFromTheEnvironmentOnlyForThisProcess() {
    assertThat(WatchdogKeeper.intervalFromEnvironment(Map.of("WATCHDOG_USEC", "30000000"), 42))
        .contains(Duration.ofSeconds(30));
    assertThat(
            WatchdogKeeper.intervalFromEnvironment(
                Map.of("WATCHDOG_USEC", "30000000", "WATCHDOG_PID", "42"), 42))
        .contains(Duration.ofSeconds(30));
    assertThat(
            WatchdogKeeper.intervalFromEnvironment(
                Map.of("WATCHDOG_USEC", "30000000", "WATCHDOG_PID", "7"), 42))
        .isEmpty();
    assertThat(WatchdogKeeper.intervalFromEnvironment(Map.of(), 42)).isEmpty();
    assertThat(WatchdogKeeper.intervalFromEnvironment(Map.of("WATCHDOG_USEC", "soon"), 42))
        .isEmpty();
  }
}
