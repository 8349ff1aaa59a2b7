package io.berth.agent.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A clock tests move by hand, shared by every agent test that injects time (thread-safe). */
public final class FakeClock extends Clock {
  private Instant now;

  public FakeClock(Instant start) {
    this.now = start;
  }

  public FakeClock() {
    this(Instant.parse("2026-01-01T00:00:00Z"));
  }

  public synchronized void advance(Duration d) {
    now = now.plus(d);
  }

  public synchronized void set(Instant t) {
    now = t;
  }

  @Override
  public synchronized Instant instant() {
    return now;
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }
}
