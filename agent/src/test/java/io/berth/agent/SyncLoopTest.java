package io.berth.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.agent.config.ConfigSource;
import io.berth.agent.config.PodUpdate;
import io.berth.agent.pod.PodLifecycleEvent;
import io.berth.agent.systemd.Heartbeat;
import io.berth.probes.PodRef;
import io.berth.probes.ProbeResult;
import io.berth.probes.ProbeType;
import io.berth.probes.ProbeUpdate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The loop dispatches pod config updates and PLEG events to the pod handler, in order. */
class SyncLoopTest {
  @Test
  void dispatchesPodEventsInOrderAndSurvivesAFailingHandler() throws Exception {
    BlockingQueue<String> seen = new LinkedBlockingQueue<>();
    SyncLoop loop = new SyncLoop(new Heartbeat(Clock.systemUTC()), Duration.ofHours(1));
    loop.onPodEvents(
        new SyncLoop.PodEventHandler() {
          @Override
          public void podConfigChanged(PodUpdate update) {
            seen.add(update.getClass().getSimpleName());
            if (update instanceof PodUpdate.Remove) {
              throw new IllegalStateException("handler bug");
            }
          }

          @Override
          public void podLifecycleEvent(PodLifecycleEvent event) {
            seen.add(event.type() + " " + event.podUid());
          }
        });
    loop.start();
    try {
      loop.offer(new SyncLoop.PodConfigUpdate(new PodUpdate.Remove(ConfigSource.FILE, List.of())));
      loop.offer(new SyncLoop.PodConfigUpdate(new PodUpdate.Add(ConfigSource.FILE, List.of())));
      loop.offer(
          new SyncLoop.PlegEvent(
              new PodLifecycleEvent("u1", PodLifecycleEvent.Type.CONTAINER_DIED, "c1")));
      assertThat(seen.poll(5, TimeUnit.SECONDS)).isEqualTo("Remove");
      assertThat(seen.poll(5, TimeUnit.SECONDS)).isEqualTo("Add");
      assertThat(seen.poll(5, TimeUnit.SECONDS)).isEqualTo("CONTAINER_DIED u1");
    } finally {
      loop.close();
    }
  }

  @Test
  void dispatchesProbeResultsToTheProbeHandler() throws Exception {
    BlockingQueue<ProbeUpdate> seen = new LinkedBlockingQueue<>();
    SyncLoop loop = new SyncLoop(new Heartbeat(Clock.systemUTC()), Duration.ofHours(1));
    loop.onProbeResults(seen::add);
    loop.start();
    try {
      ProbeUpdate u =
          new ProbeUpdate(
              new PodRef("u1", "default", "web"),
              "app",
              "c1",
              ProbeType.LIVENESS,
              ProbeResult.failure("refused"),
              true,
              OptionalLong.empty());
      loop.offer(new SyncLoop.ProbeResultEvent(u));
      assertThat(seen.poll(5, TimeUnit.SECONDS)).isEqualTo(u);
    } finally {
      loop.close();
    }
  }
}
