package io.berth.agent.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.agent.kubeapi.ApiException;
import io.berth.agent.testing.FakeClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The writer's client-go behaviour: retries while unreachable, no retry on refusal, drops. */
class ApiEventRecorderTest {
  final FakeClock clock = new FakeClock(Instant.parse("2026-11-24T09:00:00Z"));
  final List<Duration> sleeps = new ArrayList<>();
  final FakeSink sink = new FakeSink();
  final ObjectReference pod = ObjectReference.pod("default", "web", "u1");

  ApiEventRecorder recorder(int queueSize) {
    return new ApiEventRecorder(
        "node-a",
        clock,
        () -> sink,
        d -> {
          sleeps.add(d);
          clock.advance(d);
        },
        () -> 0.5,
        queueSize);
  }

  /** Answers with the queued failures first, then stores. */
  static final class FakeSink implements EventSink {
    final List<String> calls = new ArrayList<>();
    final List<ApiException> failures = new ArrayList<>();
    int version;

    @Override
    public CoreEvent create(CoreEvent e) throws ApiException {
      return answer("create " + e.name() + " x" + e.count(), e);
    }

    @Override
    public CoreEvent patch(CoreEvent e) throws ApiException {
      return answer("patch " + e.name() + " x" + e.count(), e);
    }

    private CoreEvent answer(String call, CoreEvent e) throws ApiException {
      calls.add(call);
      if (!failures.isEmpty()) {
        throw failures.remove(0);
      }
      return EventCorrelatorTest.withVersion(e, String.valueOf(++version));
    }
  }

  static ApiException unreachable() {
    return new ApiException(0, "", "connection refused", "POST events", null);
  }

  CoreEvent event(String message) {
    return CoreEvent.of(pod, EventType.WARNING, "BackOff", message, "node-a", clock.instant());
  }

  @Test
  void anUnreachableServerIsTriedTwelveTimesTenSecondsApartThenTheEventIsDropped()
      throws Exception {
    ApiEventRecorder r = recorder(10);
    for (int i = 0; i < 12; i++) {
      sink.failures.add(unreachable());
    }
    r.write(sink, event("m"));
    assertThat(sink.calls).hasSize(12);
    assertThat(sleeps).hasSize(11);
    assertThat(sleeps.get(0)).isEqualTo(Duration.ofSeconds(5)); // randomized: 0.5 × 10 s
    assertThat(sleeps.subList(1, 11)).allMatch(d -> d.equals(Duration.ofSeconds(10)));
    assertThat(r.failed()).isEqualTo(1);
    assertThat(r.written()).isZero();
  }

  @Test
  void anOutageShorterThanTheRetriesLosesNothingAndCountsContinue() throws Exception {
    ApiEventRecorder r = recorder(10);
    r.write(sink, event("m"));
    sink.failures.add(unreachable());
    sink.failures.add(unreachable());
    r.write(sink, event("m"));
    String name = sink.calls.get(0).split(" ")[1];
    assertThat(sink.calls)
        .containsExactly(
            "create " + name + " x1",
            "patch " + name + " x2",
            "patch " + name + " x2",
            "patch " + name + " x2");
    assertThat(r.written()).isEqualTo(2);
  }

  @Test
  void aPatchOfAnEventTheServerNoLongerHasCreatesItAndARefusalIsNotRetried() throws Exception {
    ApiEventRecorder r = recorder(10);
    r.write(sink, event("m"));
    sink.failures.add(new ApiException(404, "NotFound", "events \"x\" not found", "PATCH", null));
    r.write(sink, event("m"));
    String name = sink.calls.get(0).split(" ")[1];
    assertThat(sink.calls.subList(1, 3))
        .containsExactly("patch " + name + " x2", "create " + name + " x2");

    sink.calls.clear();
    sink.failures.add(new ApiException(422, "Invalid", "bad", "POST", null));
    r.write(sink, event("other"));
    assertThat(sink.calls).hasSize(1);
    assertThat(sleeps).isEmpty();
    assertThat(r.failed()).isEqualTo(1);
  }

  @Test
  void aFullQueueDropsAndCountsWithoutBlockingTheCaller() {
    ApiEventRecorder r = recorder(3); // not started: nothing drains the queue
    for (int i = 0; i < 5; i++) {
      r.event(pod, EventType.NORMAL, "Pulled", "m" + i);
    }
    assertThat(r.dropped()).isEqualTo(2);
  }

  @Test
  void theWriterThreadDeliversQueuedEvents() throws Exception {
    ApiEventRecorder r = recorder(10);
    r.event(pod, EventType.NORMAL, "Pulled", "m");
    r.start();
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (r.written() == 0 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    r.close();
    assertThat(r.written()).isEqualTo(1);
  }
}
