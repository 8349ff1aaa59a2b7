package io.berth.tests.systemd;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.agent.systemd.DatagramSdNotifier;
import io.berth.agent.systemd.SdNotifier;
import io.berth.tests.fixtures.NotifySocketListener;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sd_notify protocol against a real datagram socket standing in for systemd's. */
class SdNotifierIT {
  private static final Duration WAIT = Duration.ofSeconds(5);
  @TempDir Path dir;

  @Test
  void sendsEachNotificationAsOneDatagram() throws Exception {
    try (var systemd = new NotifySocketListener(dir.resolve("notify"));
        SdNotifier notifier =
            SdNotifier.fromEnvironment(Map.of("NOTIFY_SOCKET", systemd.path().toString()))) {
      assertThat(notifier.enabled()).isTrue();

      notifier.ready("3 pods, 2 services");
      notifier.status("syncing\n4 pods");
      notifier.watchdog();
      notifier.stopping("terminating pods");

      assertThat(systemd.next(WAIT)).isEqualTo("READY=1\nSTATUS=3 pods, 2 services");
      assertThat(systemd.next(WAIT)).isEqualTo("STATUS=syncing 4 pods");
      assertThat(systemd.next(WAIT)).isEqualTo("WATCHDOG=1");
      assertThat(systemd.next(WAIT)).isEqualTo("STOPPING=1\nSTATUS=terminating pods");
    }
  }

  @Test
  void withoutNotifySocketNothingIsSentAndNothingFails() {
    SdNotifier notifier = SdNotifier.fromEnvironment(Map.of());
    assertThat(notifier.enabled()).isFalse();
    notifier.ready("x");
    notifier.close();
  }

  @Test
  void aVanishedSocketIsLoggedNotThrown() {
    try (SdNotifier notifier = DatagramSdNotifier.open(dir.resolve("gone").toString())) {
      notifier.ready("nobody listens"); // systemd's own timeout decides; berth keeps running
    }
  }
}
