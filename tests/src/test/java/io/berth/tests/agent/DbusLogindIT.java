package io.berth.tests.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.agent.dbus.DbusConnection;
import io.berth.agent.dbus.DbusException;
import io.berth.agent.dbus.DbusMessage;
import io.berth.agent.shutdown.DbusLogind;
import io.berth.agent.shutdown.InhibitLock;
import io.berth.agent.shutdown.LogindUnavailableException;
import io.berth.tests.fixtures.FakeLogind;
import io.berth.tests.fixtures.PrivateDbusDaemon;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * berth's D-Bus client against the real {@code dbus-daemon} (a private one) and the tools of the
 * reference implementations ({@code gdbus}, {@code dbus-send}), with logind played by {@link
 * FakeLogind}: authentication, Hello, properties, an inhibitor lock whose fd crosses the bus, and
 * signals.
 */
class DbusLogindIT {
  private PrivateDbusDaemon daemon;

  @BeforeEach
  void start() throws Exception {
    daemon = PrivateDbusDaemon.start();
  }

  @AfterEach
  void stop() {
    daemon.close();
  }

  private static String run(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("%s: %s", String.join(" ", cmd), out).isZero();
    return out.strip();
  }

  @Test
  void theClientAuthenticatesAndGetsAUniqueName() throws Exception {
    try (DbusConnection a = DbusConnection.open(daemon.address(), Duration.ofSeconds(5));
        DbusConnection b = DbusConnection.open(daemon.address(), Duration.ofSeconds(5))) {
      assertThat(a.uniqueName()).matches(":1\\.\\d+");
      assertThat(b.uniqueName()).matches(":1\\.\\d+").isNotEqualTo(a.uniqueName());
      // the bus's own answer, decoded by this client: both are on the bus
      DbusMessage names =
          a.call(
              DbusMessage.call(
                  DbusConnection.BUS_NAME,
                  DbusConnection.BUS_PATH,
                  DbusConnection.BUS_NAME,
                  "ListNames",
                  ""),
              Duration.ofSeconds(5));
      assertThat(names.signature()).isEqualTo("as");
      @SuppressWarnings("unchecked")
      List<String> list = (List<String>) names.body().get(0);
      assertThat(list).contains(DbusConnection.BUS_NAME, a.uniqueName(), b.uniqueName());
    }
  }

  @Test
  void gdbusReadsTheFakeLogindsPropertyAndBerthReadsItToo() throws Exception {
    try (FakeLogind logind = FakeLogind.start(daemon.address(), Duration.ofSeconds(45));
        DbusLogind berth = DbusLogind.connect(daemon.address())) {
      // a reference client parses what berth's encoder wrote
      assertThat(
              run(
                  "gdbus",
                  "call",
                  "--address",
                  daemon.address(),
                  "--dest",
                  "org.freedesktop.login1",
                  "--object-path",
                  "/org/freedesktop/login1",
                  "--method",
                  "org.freedesktop.DBus.Properties.Get",
                  "org.freedesktop.login1.Manager",
                  "InhibitDelayMaxUSec"))
          .isEqualTo("(<uint64 45000000>,)");
      assertThat(berth.inhibitDelayMax()).isEqualTo(Duration.ofSeconds(45));
    }
  }

  @Test
  void theInhibitorLockIsAnFdThatCrossesTheBusAndClosingItReleasesTheLock() throws Exception {
    try (FakeLogind logind = FakeLogind.start(daemon.address(), Duration.ofSeconds(30));
        DbusLogind berth = DbusLogind.connect(daemon.address())) {
      InhibitLock lock = berth.inhibitShutdownDelay("berth", "testing");
      assertThat(logind.locks()).hasSize(1);
      FakeLogind.Lock l = logind.locks().get(0);
      assertThat(List.of(l.what(), l.who(), l.why(), l.mode()))
          .containsExactly("shutdown", "berth", "testing", "delay");
      Thread.sleep(200);
      assertThat(l.released()).as("held while berth keeps the fd").isNotDone();
      lock.close();
      assertThat(l.released().get(5, TimeUnit.SECONDS)).isNotNull();
      lock.close(); // twice is harmless
      assertThat(logind.held()).isZero();
    }
  }

  @Test
  void prepareForShutdownSignalsArriveInOrder() throws Exception {
    LinkedBlockingQueue<Boolean> seen = new LinkedBlockingQueue<>();
    try (FakeLogind logind = FakeLogind.start(daemon.address(), Duration.ofSeconds(30));
        DbusLogind berth = DbusLogind.connect(daemon.address())) {
      berth.onPrepareForShutdown(seen::add);
      logind.prepareForShutdown(true);
      logind.prepareForShutdown(false);
      assertThat(seen.poll(5, TimeUnit.SECONDS)).isTrue();
      assertThat(seen.poll(5, TimeUnit.SECONDS)).isFalse();
    }
  }

  @Test
  void aSignalFromDbusSendIsDecoded() throws Exception {
    LinkedBlockingQueue<DbusMessage> seen = new LinkedBlockingQueue<>();
    try (DbusConnection c = DbusConnection.open(daemon.address(), Duration.ofSeconds(5))) {
      c.onSignal(
          m -> {
            if (!m.iface().equals(DbusConnection.BUS_NAME)) { // not the bus's NameAcquired
              seen.add(m);
            }
          });
      c.addMatch("type='signal',interface='org.freedesktop.login1.Manager'", Duration.ofSeconds(5));
      run(
          "dbus-send",
          "--bus=" + daemon.address(), // --address would not say Hello: the bus drops it
          "--type=signal",
          "/org/freedesktop/login1",
          "org.freedesktop.login1.Manager.PrepareForShutdown",
          "boolean:true");
      DbusMessage m = seen.poll(5, TimeUnit.SECONDS);
      assertThat(m).isNotNull();
      assertThat(m.member()).isEqualTo("PrepareForShutdown");
      assertThat(m.signature()).isEqualTo("b");
      assertThat(m.body()).containsExactly(true);
    }
  }

  @Test
  void noLogindOnTheBusAndNoBusAreClearErrors() throws Exception {
    try (DbusLogind berth = DbusLogind.connect(daemon.address())) {
      assertThatThrownBy(berth::inhibitDelayMax)
          .isInstanceOf(LogindUnavailableException.class)
          .hasMessageContaining("InhibitDelayMaxUSec")
          .hasMessageContaining("org.freedesktop.DBus.Error.ServiceUnknown");
    }
    assertThatThrownBy(() -> DbusLogind.connect(PrivateDbusDaemon.nowhere()))
        .isInstanceOf(LogindUnavailableException.class)
        .hasMessageContaining("cannot connect to the bus at unix:path=/run/berth-test/no-such-bus")
        .hasMessageContaining("no such file");
    assertThatThrownBy(
            () -> DbusConnection.open("unix:abstract=/tmp/dbus-x", Duration.ofSeconds(1)))
        .isInstanceOf(DbusException.class)
        .hasMessageContaining("no unix:path=");
  }
}
