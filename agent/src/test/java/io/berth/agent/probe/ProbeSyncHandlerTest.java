package io.berth.agent.probe;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.agent.events.RecordingEventRecorder;
import io.berth.probes.PodRef;
import io.berth.probes.ProbeResult;
import io.berth.probes.ProbeType;
import io.berth.probes.ProbeUpdate;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** A failed probe of a running container is the kubelet's Unhealthy warning on that container. */
class ProbeSyncHandlerTest {
  final RecordingEventRecorder recorder = new RecordingEventRecorder();
  final List<String> resynced = new ArrayList<>();
  final ProbeSyncHandler handler = new ProbeSyncHandler(resynced::add, recorder);

  static ProbeUpdate update(ProbeType type, ProbeResult result, boolean running) {
    return new ProbeUpdate(
        new PodRef("u1", "default", "web"),
        "app",
        "c1",
        type,
        result,
        running,
        OptionalLong.empty());
  }

  @Test
  void failuresOfRunningContainersAreUnhealthyEvents() {
    handler.accept(
        update(
            ProbeType.LIVENESS,
            ProbeResult.failure("HTTP probe failed with statuscode: 500"),
            true));
    handler.accept(update(ProbeType.READINESS, ProbeResult.failure("dial tcp: refused"), true));
    handler.accept(update(ProbeType.READINESS, ProbeResult.success(""), true));
    handler.accept(update(ProbeType.READINESS, ProbeResult.failure("container exited"), false));
    handler.accept(update(ProbeType.STARTUP, ProbeResult.unknown("prober error"), true));
    assertThat(recorder.lines())
        .containsExactly(
            "Pod spec.containers{app} Warning Unhealthy: Liveness probe failed: HTTP probe failed"
                + " with statuscode: 500",
            "Pod spec.containers{app} Warning Unhealthy: Readiness probe failed: dial tcp: refused");
    assertThat(recorder.refs())
        .allSatisfy(
            r -> {
              assertThat(r.uid()).isEqualTo("u1");
              assertThat(r.namespace()).isEqualTo("default");
              assertThat(r.name()).isEqualTo("web");
            });
    assertThat(resynced).hasSize(5);
  }
}
