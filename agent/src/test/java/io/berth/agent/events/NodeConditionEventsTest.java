package io.berth.agent.events;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NodeConditionEventsTest {
  final RecordingEventRecorder recorder = new RecordingEventRecorder();
  final NodeConditionEvents events = new NodeConditionEvents(recorder, "node-a");

  @Test
  void theFirstObservationRecordsEveryConditionThenOnlyChanges() {
    events.observed(false, false, false, false);
    events.observed(false, false, false, true);
    events.observed(false, false, false, true);
    events.observed(true, false, false, true);
    assertThat(recorder.lines())
        .containsExactly(
            "Node  Normal NodeHasSufficientMemory: Node node-a status is now:"
                + " NodeHasSufficientMemory",
            "Node  Normal NodeHasNoDiskPressure: Node node-a status is now: NodeHasNoDiskPressure",
            "Node  Normal NodeHasSufficientPID: Node node-a status is now: NodeHasSufficientPID",
            "Node  Normal NodeNotReady: Node node-a status is now: NodeNotReady",
            "Node  Normal NodeReady: Node node-a status is now: NodeReady",
            "Node  Normal NodeHasInsufficientMemory: Node node-a status is now:"
                + " NodeHasInsufficientMemory");
    assertThat(recorder.refs()).allSatisfy(r -> assertThat(r.uid()).isEqualTo("node-a"));
  }
}
