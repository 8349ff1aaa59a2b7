package io.berth.agent.shutdown;

import static io.berth.agent.shutdown.ShutdownGroupTest.pod;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.agent.pod.PodStatusView;
import io.berth.agent.pod.PodStatusViewTest;
import io.berth.agent.testing.FakeClock;
import io.berth.cri.ContainerState;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class NodeShutdownManagerTest {

  /** logind as a plain object: counts locks, hands out the signal handler. */
  static final class FakeLogind implements Logind {
    final List<String> locks = new CopyOnWriteArrayList<>();
    int held;
    Duration delayMax = Duration.ofSeconds(30);
    Consumer<Boolean> signal;
    boolean closed;

    @Override
    public Duration inhibitDelayMax() {
      return delayMax;
    }

    @Override
    public synchronized InhibitLock inhibitShutdownDelay(String who, String why) {
      locks.add(who + ": " + why);
      held++;
      boolean[] open = {true};
      return () -> {
        synchronized (FakeLogind.this) {
          if (open[0]) {
            open[0] = false;
            held--;
          }
        }
      };
    }

    synchronized int held() {
      return held;
    }

    @Override
    public void onPrepareForShutdown(Consumer<Boolean> handler) {
      signal = handler;
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  /** Pods that record kills and waits; every wait reports the pods stopped. */
  static final class RecordingPods implements NodePods {
    final List<Pod> pods = new ArrayList<>();
    final List<String> events = new CopyOnWriteArrayList<>();
    FakeLogind logind;

    @Override
    public List<Pod> active() {
      return pods;
    }

    @Override
    public void kill(Pod pod, Duration grace) {
      events.add("kill " + pod.getMetadata().getName() + " " + grace.toSeconds() + "s");
    }

    @Override
    public boolean awaitStopped(Set<String> uids, Duration timeout) {
      events.add(
          "wait "
              + uids.stream().sorted().toList()
              + " "
              + timeout.toSeconds()
              + "s, lock held "
              + logind.held());
      return true;
    }
  }

  private static Pod running(Pod p) {
    p.setStatus(new PodStatusBuilder().withPhase("Running").build());
    return p;
  }

  private final FakeLogind logind = new FakeLogind();
  private final RecordingPods pods = new RecordingPods();

  private NodeShutdownManager manager(long grace, long critical) {
    pods.logind = logind;
    return new NodeShutdownManager(
        NodeShutdownSettings.off()
            .withGrace(Duration.ofSeconds(grace), Duration.ofSeconds(critical)),
        () -> logind,
        pods,
        new FakeClock());
  }

  @Test
  void offByDefaultNeverTalksToLogind() {
    NodeShutdownManager m =
        new NodeShutdownManager(
            NodeShutdownSettings.off(),
            () -> {
              throw new AssertionError("connected although off");
            },
            pods,
            new FakeClock());
    m.start();
    assertThat(m.admit(pod("p", null, null, null))).isEmpty();
    m.close();
  }

  @Test
  void unavailableLogindLeavesTheNodeRunningAndAdmitting() {
    NodeShutdownManager m =
        new NodeShutdownManager(
            NodeShutdownSettings.off().withGrace(Duration.ofSeconds(30), Duration.ofSeconds(10)),
            () -> {
              throw new LogindUnavailableException("no bus here", null);
            },
            pods,
            new FakeClock());
    m.start();
    assertThat(m.admit(pod("p", null, null, null))).isEmpty();
    assertThat(m.shuttingDown()).isFalse();
    m.close();
  }

  @Test
  void shutdownKillsOrdinaryPodsThenCriticalOnesThenReleasesTheLock() throws Exception {
    pods.pods.add(running(pod("web", null, null, 60L)));
    pods.pods.add(running(pod("quick", null, null, 3L)));
    pods.pods.add(running(pod("dns", null, "system-cluster-critical", null)));
    NodeShutdownManager m = manager(30, 10);
    m.start();
    assertThat(logind.held()).isEqualTo(1);
    assertThat(logind.locks)
        .containsExactly(NodeShutdownManager.WHO + ": " + NodeShutdownManager.WHY);

    logind.signal.accept(true);
    assertThat(m.admit(pod("new", null, null, null))).contains(NodeShutdownManager.NOT_ADMITTED);
    assertThat(m.awaitTerminated(Duration.ofSeconds(10))).isTrue();

    assertThat(pods.events)
        .containsExactly(
            "kill web 20s",
            "kill quick 3s",
            "wait [uid-quick, uid-web] 20s, lock held 1",
            "kill dns 10s",
            "wait [uid-dns] 10s, lock held 1");
    assertThat(logind.held()).isZero();

    // a second PrepareForShutdown(true) while shutting down does nothing
    logind.signal.accept(true);
    assertThat(pods.events).hasSize(5);

    // cancelled: pods are admitted again and a new lock is taken
    logind.signal.accept(false);
    assertThat(m.admit(pod("new", null, null, null))).isEmpty();
    assertThat(logind.held()).isEqualTo(1);
    m.close();
    assertThat(logind.held()).isZero();
    assertThat(logind.closed).isTrue();
  }

  @Test
  void emptyGroupsAreSkipped() throws Exception {
    pods.pods.add(running(pod("kube-proxy", null, "system-node-critical", null)));
    NodeShutdownManager m = manager(20, 5);
    m.start();
    logind.signal.accept(true);
    assertThat(m.awaitTerminated(Duration.ofSeconds(10))).isTrue();
    assertThat(pods.events)
        .containsExactly("kill kube-proxy 5s", "wait [uid-kube-proxy] 5s, lock held 1");
    assertThat(logind.held()).isZero();
    m.close();
  }

  @Test
  void aShortLogindDelayStillTakesTheLock() {
    logind.delayMax = Duration.ofSeconds(5);
    NodeShutdownManager m = manager(30, 10);
    m.start();
    assertThat(logind.held()).isEqualTo(1);
    m.close();
  }

  @Test
  void terminatedPodsShowDisruptionTargetInTheLocalViewAndListenersHearOfTheShutdown()
      throws Exception {
    FakeClock clock = new FakeClock(PodStatusViewTest.T0);
    PodStatusView view = new PodStatusView(clock, new ObjectMapper(), List::of);
    Pod web = PodStatusViewTest.pod("web", "default", "u-web");
    view.update(PodStatusViewTest.input(web, ContainerState.RUNNING));
    // the pod's worker, woken by the kill, sees its container stopped
    List<String> resynced = new CopyOnWriteArrayList<>();
    WorkerPods workerPods =
        new WorkerPods(
            view,
            uid -> {
              resynced.add(uid);
              view.update(PodStatusViewTest.input(web, ContainerState.EXITED));
            });
    NodeShutdownManager m =
        new NodeShutdownManager(
            NodeShutdownSettings.off().withGrace(Duration.ofSeconds(30), Duration.ofSeconds(10)),
            () -> logind,
            workerPods,
            clock);
    List<Boolean> heard = new CopyOnWriteArrayList<>();
    m.onShuttingDownChanged(() -> heard.add(m.shuttingDown()));
    m.start();
    assertThat(view.get("u-web").orElseThrow().getStatus().getConditions())
        .extracting(c -> c.getType())
        .as("no shutdown yet")
        .doesNotContain("DisruptionTarget");

    clock.advance(Duration.ofSeconds(3));
    logind.signal.accept(true);
    assertThat(m.awaitTerminated(Duration.ofSeconds(10))).isTrue();
    assertThat(heard).containsExactly(true);
    assertThat(resynced).containsExactly("u-web");
    assertThat(logind.held()).as("the lock is released").isZero();

    var status = view.get("u-web").orElseThrow().getStatus();
    assertThat(status.getPhase()).isEqualTo("Failed");
    assertThat(status.getReason()).isEqualTo("Terminated");
    assertThat(status.getMessage())
        .isEqualTo("Pod was terminated in response to imminent node shutdown.");
    assertThat(status.getConditions())
        .filteredOn(c -> c.getType().equals("DisruptionTarget"))
        .extracting(
            c ->
                c.getStatus()
                    + " "
                    + c.getReason()
                    + " "
                    + c.getLastTransitionTime()
                    + " "
                    + c.getMessage())
        .containsExactly(
            "True TerminationByKubelet 2026-11-24T09:00:03Z"
                + " Pod was terminated in response to imminent node shutdown.");

    logind.signal.accept(false);
    assertThat(heard).containsExactly(true, false);
    assertThat(view.get("u-web").orElseThrow().getStatus().getConditions())
        .extracting(c -> c.getType())
        .as("a cancel does not undo the termination")
        .contains("DisruptionTarget");
    m.close();
  }
}
