package io.berth.agent.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.agent.testing.FakeClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * client-go's correlator defaults: dedup into counts, aggregation at 10, spam filter 25 + 1/5 min.
 */
class EventCorrelatorTest {
  final FakeClock clock = new FakeClock(Instant.parse("2026-11-24T09:00:00Z"));
  final EventCorrelator correlator = new EventCorrelator(clock);
  final ObjectReference app =
      new ObjectReference("Pod", "v1", "default", "web", "u1", "7", "spec.containers{app}");

  CoreEvent event(ObjectReference ref, String reason, String message) {
    return CoreEvent.of(ref, EventType.WARNING, reason, message, "node-a", clock.instant());
  }

  @Test
  void theSameEventAgainPatchesTheFirstOneWithCountAndLastTimestamp() {
    var first = correlator.correlate(event(app, "BackOff", "Back-off restarting"));
    assertThat(first).isInstanceOf(EventCorrelator.Correlation.Create.class);
    CoreEvent created = ((EventCorrelator.Correlation.Create) first).event();
    assertThat(created.count()).isEqualTo(1);
    assertThat(created.name()).startsWith("web.");
    correlator.written(
        ((EventCorrelator.Correlation.Create) first).key(), withVersion(created, "42"));

    clock.advance(Duration.ofSeconds(30));
    var again = correlator.correlate(event(app, "BackOff", "Back-off restarting"));
    assertThat(again).isInstanceOf(EventCorrelator.Correlation.Patch.class);
    CoreEvent patched = ((EventCorrelator.Correlation.Patch) again).event();
    assertThat(patched.name()).isEqualTo(created.name());
    assertThat(patched.count()).isEqualTo(2);
    assertThat(patched.firstTimestamp()).isEqualTo(created.firstTimestamp());
    assertThat(patched.lastTimestamp()).isEqualTo(created.firstTimestamp().plusSeconds(30));
    assertThat(patched.resourceVersion()).isEqualTo("42");
    assertThat(patched.patchJson(new com.fasterxml.jackson.databind.ObjectMapper()).toString())
        .isEqualTo(
            "{\"count\":2,\"lastTimestamp\":\"2026-11-24T09:00:30Z\",\"message\":\"Back-off"
                + " restarting\"}");

    // another container, another message or another reason is another event
    assertThat(
            correlator.correlate(
                event(app.withFieldPath("spec.containers{b}"), "BackOff", "Back-off restarting")))
        .isInstanceOf(EventCorrelator.Correlation.Create.class);
    assertThat(correlator.correlate(event(app, "Failed", "Back-off restarting")))
        .isInstanceOf(EventCorrelator.Correlation.Create.class);
  }

  @Test
  void theTenthDistinctMessageWithinTenMinutesBecomesOneCombinedEvent() {
    for (int i = 1; i <= 9; i++) {
      var c = correlator.correlate(event(app, "Unhealthy", "Liveness probe failed: " + i));
      assertThat(c).isInstanceOf(EventCorrelator.Correlation.Create.class);
      assertThat(((EventCorrelator.Correlation.Create) c).event().message())
          .isEqualTo("Liveness probe failed: " + i);
      clock.advance(Duration.ofSeconds(30));
    }
    var tenth = correlator.correlate(event(app, "Unhealthy", "Liveness probe failed: 10"));
    assertThat(tenth).isInstanceOf(EventCorrelator.Correlation.Create.class);
    CoreEvent combined = ((EventCorrelator.Correlation.Create) tenth).event();
    assertThat(combined.message())
        .isEqualTo("(combined from similar events): Liveness probe failed: 10");
    clock.advance(Duration.ofSeconds(30));
    var eleventh = correlator.correlate(event(app, "Unhealthy", "Liveness probe failed: 11"));
    assertThat(eleventh).isInstanceOf(EventCorrelator.Correlation.Patch.class);
    CoreEvent patched = ((EventCorrelator.Correlation.Patch) eleventh).event();
    assertThat(patched.name()).isEqualTo(combined.name());
    assertThat(patched.count()).isEqualTo(2);
    assertThat(patched.message())
        .isEqualTo("(combined from similar events): Liveness probe failed: 11");
  }

  @Test
  void similarEventsMoreThanTenMinutesApartAreNotCombined() {
    for (int i = 1; i <= 12; i++) {
      var c = correlator.correlate(event(app, "Unhealthy", "Liveness probe failed: " + i));
      assertThat(((EventCorrelator.Correlation.Create) c).event().message())
          .isEqualTo("Liveness probe failed: " + i);
      clock.advance(Duration.ofMinutes(10).plusSeconds(1));
    }
  }

  @Test
  void theSpamFilterLets25EventsOfAnObjectThroughThenOneEveryFiveMinutes() {
    int passed = 0;
    for (int i = 0; i < 40; i++) {
      // one reason per event, so that neither dedup nor aggregation folds them
      if (!(correlator.correlate(event(app, "Reason" + i, "m"))
          instanceof EventCorrelator.Correlation.Skip)) {
        passed++;
      }
    }
    assertThat(passed).isEqualTo(25);
    // Normal events of the same object have their own bucket, other objects too
    assertThat(
            correlator.correlate(
                CoreEvent.of(app, EventType.NORMAL, "Pulled", "m", "node-a", clock.instant())))
        .isNotInstanceOf(EventCorrelator.Correlation.Skip.class);
    assertThat(
            correlator.correlate(
                event(new ObjectReference("Pod", "v1", "default", "db", "u2", "", ""), "X", "m")))
        .isNotInstanceOf(EventCorrelator.Correlation.Skip.class);

    clock.advance(Duration.ofMinutes(4));
    assertThat(correlator.correlate(event(app, "Late", "m")))
        .isInstanceOf(EventCorrelator.Correlation.Skip.class);
    clock.advance(Duration.ofMinutes(1).plusSeconds(1));
    assertThat(correlator.correlate(event(app, "Later", "m")))
        .isInstanceOf(EventCorrelator.Correlation.Create.class);
    assertThat(correlator.correlate(event(app, "Latest", "m")))
        .isInstanceOf(EventCorrelator.Correlation.Skip.class);
  }

  @Test
  void aNodeEventGoesToTheDefaultNamespaceWithTheKubeletsSource() {
    CoreEvent e =
        CoreEvent.of(
            ObjectReference.node("node-a"),
            EventType.NORMAL,
            "Starting",
            "Starting kubelet.",
            "node-a",
            Instant.parse("2026-11-24T09:00:00.123456789Z"));
    assertThat(e.namespace()).isEqualTo("default");
    assertThat(e.name()).isEqualTo("node-a." + Long.toHexString(1795510800123456789L));
    var json = e.toJson(new com.fasterxml.jackson.databind.ObjectMapper());
    assertThat(json.path("involvedObject").toString())
        .isEqualTo("{\"kind\":\"Node\",\"name\":\"node-a\",\"uid\":\"node-a\"}");
    assertThat(json.path("source").toString())
        .isEqualTo("{\"component\":\"kubelet\",\"host\":\"node-a\"}");
    assertThat(json.path("firstTimestamp").asText()).isEqualTo("2026-11-24T09:00:00Z");
    assertThat(json.path("reportingComponent").asText()).isEqualTo("kubelet");
    assertThat(json.path("reportingInstance").asText()).isEqualTo("node-a");
    assertThat(json.path("count").asInt()).isEqualTo(1);
    assertThat(json.path("type").asText()).isEqualTo("Normal");
  }

  static CoreEvent withVersion(CoreEvent e, String rv) {
    return new CoreEvent(
        e.name(),
        e.namespace(),
        e.involvedObject(),
        e.type(),
        e.reason(),
        e.message(),
        e.sourceHost(),
        e.firstTimestamp(),
        e.lastTimestamp(),
        e.count(),
        rv);
  }
}
