package io.berth.agent.pod;

import io.berth.agent.kuberuntime.ContainerStates;
import io.berth.agent.kuberuntime.EphemeralContainers;
import io.berth.agent.kuberuntime.ObservedPod;
import io.berth.agent.kuberuntime.QosClass;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.HostIP;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodIP;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A pod's API status from what the runtime has (the kubelet's {@code generateAPIPodStatus}): phase
 * ({@code getPhase}), the conditions {@code PodReadyToStartContainers}, {@code Initialized}, {@code
 * ContainersReady}, {@code Ready}, {@code PodScheduled}, container statuses, pod and host IPs.
 *
 * <p>A running container is started and ready as its {@link ContainerReadiness} says (the probe
 * results; without probes: when it runs). Readiness gates are not supported. Pure functions; time
 * is passed in.
 */
public final class PodStatuses {
  public static final String PENDING = "Pending";
  public static final String RUNNING = "Running";
  public static final String SUCCEEDED = "Succeeded";
  public static final String FAILED = "Failed";

  public static final String POD_SCHEDULED = "PodScheduled";
  public static final String READY_TO_START_CONTAINERS = "PodReadyToStartContainers";
  public static final String INITIALIZED = "Initialized";
  public static final String CONTAINERS_READY = "ContainersReady";
  public static final String READY = "Ready";

  /**
   * Set once by a one-time event (node shutdown; {@link PodStatusView#fail}) and never computed
   * from the containers, so every later status keeps it, as the kubelet's {@code
   * generateAPIPodStatus} copies it over from the old status.
   */
  public static final String DISRUPTION_TARGET = "DisruptionTarget";

  private PodStatuses() {}

  /**
   * What the status is computed from.
   *
   * @param readiness started/ready of running containers (the probe results)
   */
  public record Input(
      Pod pod,
      ObservedPod observed,
      Map<String, ContainerState> waiting,
      String runtimeName,
      List<String> hostIps,
      ContainerReadiness readiness) {
    public Input {
      waiting = Map.copyOf(waiting);
      hostIps = List.copyOf(hostIps);
      readiness = readiness == null ? ContainerReadiness.WHEN_RUNNING : readiness;
    }

    /** Without probes: running containers are ready. */
    public Input(
        Pod pod,
        ObservedPod observed,
        Map<String, ContainerState> waiting,
        String runtimeName,
        List<String> hostIps) {
      this(pod, observed, waiting, runtimeName, hostIps, ContainerReadiness.WHEN_RUNNING);
    }
  }

  /** The status of {@code in.pod()}; transition and start times kept from {@code previous}. */
  public static PodStatus compute(Input in, Optional<PodStatus> previous, Instant now) {
    PodSpec spec = in.pod().getSpec();
    List<ContainerStatus> inits = new ArrayList<>();
    for (Container c : spec.getInitContainers()) {
      ContainerStatus s = containerStatus(in, c);
      if (isSidecar(c)) {
        applyReadiness(in, c, s);
      } else {
        s.setReady(succeeded(s.getState()));
      }
      inits.add(s);
    }
    List<ContainerStatus> regular = new ArrayList<>();
    for (Container c : spec.getContainers()) {
      ContainerStatus s = containerStatus(in, c);
      applyReadiness(in, c, s);
      regular.add(s);
    }
    String phase = phase(spec, inits, regular);
    // the status manager never lets a pod leave a terminal phase (a deadline-exceeded or
    // rejected pod whose containers were killed must not read as Running again)
    Optional<PodStatus> terminalBefore = previous.filter(p -> isTerminal(p.getPhase()));
    if (terminalBefore.isPresent()) {
      phase = terminalBefore.get().getPhase();
    }
    String time = time(now);
    List<PodCondition> conditions = new ArrayList<>();
    boolean sandboxReady =
        !in.observed().sandboxes().isEmpty() && in.observed().sandboxes().get(0).ready();
    conditions.add(condition(READY_TO_START_CONTAINERS, sandboxReady, null, null));
    List<String> notInitialized =
        spec.getInitContainers().stream()
            .filter(c -> !ready(inits, c.getName()))
            .map(Container::getName)
            .toList();
    boolean terminal = isTerminal(phase);
    conditions.add(
        notInitialized.isEmpty() || terminal && phase.equals(SUCCEEDED)
            ? condition(INITIALIZED, true, null, null)
            : condition(
                INITIALIZED,
                false,
                "ContainersNotInitialized",
                "containers with incomplete status: " + goList(notInitialized)));
    List<String> notReady =
        spec.getContainers().stream()
            .filter(c -> !ready(regular, c.getName()))
            .map(Container::getName)
            .toList();
    if (terminal) {
      conditions.add(condition(CONTAINERS_READY, false, "PodCompleted", null));
      conditions.add(condition(READY, false, "PodCompleted", null));
    } else if (notReady.isEmpty()) {
      conditions.add(condition(CONTAINERS_READY, true, null, null));
      conditions.add(condition(READY, true, null, null));
    } else {
      String message = "containers with unready status: " + goList(notReady);
      conditions.add(condition(CONTAINERS_READY, false, "ContainersNotReady", message));
      conditions.add(condition(READY, false, "ContainersNotReady", message));
    }
    conditions.add(condition(POD_SCHEDULED, true, null, null));
    for (PodCondition c : conditions) {
      c.setLastTransitionTime(previous.flatMap(p -> sameCondition(p, c)).orElse(time));
    }
    previous.stream()
        .flatMap(p -> p.getConditions().stream())
        .filter(c -> DISRUPTION_TARGET.equals(c.getType()))
        .findFirst()
        .ifPresent(conditions::add);
    List<String> podIps = in.observed().podIps();
    if (podIps.isEmpty() && Boolean.TRUE.equals(spec.getHostNetwork())) {
      podIps = in.hostIps(); // a host-network pod has the node's IPs, as the kubelet reports
    }
    return new PodStatusBuilder()
        .withPhase(phase)
        .withConditions(conditions)
        .withHostIP(in.hostIps().isEmpty() ? null : in.hostIps().get(0))
        .withHostIPs(in.hostIps().stream().map(HostIP::new).toList())
        .withPodIP(podIps.isEmpty() ? null : podIps.get(0))
        .withPodIPs(podIps.stream().map(PodIP::new).toList())
        .withStartTime(previous.map(PodStatus::getStartTime).orElse(time))
        .withQosClass(QosClass.of(in.pod()).apiName())
        .withReason(terminalBefore.map(PodStatus::getReason).orElse(null))
        .withMessage(terminalBefore.map(PodStatus::getMessage).orElse(null))
        .withInitContainerStatuses(inits)
        .withContainerStatuses(regular)
        .withEphemeralContainerStatuses(ephemeral(in))
        .build();
  }

  /**
   * The kubelet's {@code getPhase}: a failed init container under {@code Never} fails the pod;
   * pending init or waiting containers keep it Pending; running ones make it Running; when all
   * stopped it is Running (restart Always, or OnFailure with failures), Succeeded or Failed.
   */
  public static String phase(
      PodSpec spec, List<ContainerStatus> inits, List<ContainerStatus> regular) {
    int pendingInit = 0;
    int failedInit = 0;
    for (Container c : spec.getInitContainers()) {
      if (isSidecar(c)) {
        continue;
      }
      Optional<ContainerStatus> s = byName(inits, c.getName());
      if (s.isEmpty()) {
        pendingInit++;
        continue;
      }
      ContainerState st = s.get().getState();
      ContainerState last = s.get().getLastState();
      if (st.getRunning() != null) {
        pendingInit++;
      } else if (st.getTerminated() != null) {
        if (st.getTerminated().getExitCode() != 0) {
          failedInit++;
        }
      } else if (last != null && last.getTerminated() != null) {
        if (last.getTerminated().getExitCode() != 0) {
          failedInit++;
        }
      } else {
        pendingInit++;
      }
    }
    String policy = spec.getRestartPolicy() == null ? "Always" : spec.getRestartPolicy();
    if (failedInit > 0 && policy.equals("Never")) {
      return FAILED;
    }
    int unknown = 0;
    int running = 0;
    int waiting = 0;
    int stopped = 0;
    int succeeded = 0;
    for (Container c : spec.getContainers()) {
      Optional<ContainerStatus> s = byName(regular, c.getName());
      if (s.isEmpty()) {
        unknown++;
        continue;
      }
      ContainerState st = s.get().getState();
      ContainerState last = s.get().getLastState();
      if (st.getRunning() != null) {
        running++;
      } else if (st.getTerminated() != null) {
        stopped++;
        if (st.getTerminated().getExitCode() == 0) {
          succeeded++;
        }
      } else if (last != null && last.getTerminated() != null) {
        stopped++;
        if (last.getTerminated().getExitCode() == 0) {
          succeeded++;
        }
      } else {
        waiting++;
      }
    }
    if (pendingInit > 0 || failedInit > 0 || waiting > 0) {
      return PENDING;
    }
    if (running > 0 && unknown == 0) {
      return RUNNING;
    }
    if (running == 0 && stopped > 0 && unknown == 0) {
      if (policy.equals("Always")) {
        return RUNNING;
      }
      if (stopped == succeeded) {
        return SUCCEEDED;
      }
      return policy.equals("Never") ? FAILED : RUNNING;
    }
    return PENDING;
  }

  /** Succeeded or Failed: the pod's containers will not run again. */
  public static boolean isTerminal(String phase) {
    return SUCCEEDED.equals(phase) || FAILED.equals(phase);
  }

  /** {@code <name>_<namespace>}, the kubelet's format in logs; {@code <orphan>} for none. */
  public static String fullName(Pod pod) {
    if (pod == null || pod.getMetadata() == null) {
      return "<orphan>";
    }
    return pod.getMetadata().getName() + "_" + pod.getMetadata().getNamespace();
  }

  /** Ephemeral containers: never ready; {@code null} (no field) for a pod without any. */
  private static List<ContainerStatus> ephemeral(Input in) {
    List<Container> all = EphemeralContainers.all(in.pod());
    if (all.isEmpty()) {
      return null;
    }
    List<ContainerStatus> out = new ArrayList<>();
    for (Container c : all) {
      ContainerStatus s = containerStatus(in, c);
      s.setReady(false);
      out.add(s);
    }
    return out;
  }

  private static ContainerStatus containerStatus(Input in, Container c) {
    return ContainerStates.status(
        c.getName(),
        c.getImage(),
        in.observed(),
        in.runtimeName(),
        Optional.ofNullable(in.waiting().get(c.getName())));
  }

  /**
   * {@code started} and {@code ready} of a container that may run: both false unless it runs; a
   * running one is started per its startup probe and ready only once started and per its readiness
   * probe (the kubelet's {@code UpdatePodStatus}).
   */
  private static void applyReadiness(Input in, Container c, ContainerStatus s) {
    Optional<String> runningId =
        s.getState().getRunning() == null
            ? Optional.empty()
            : in.observed().latest(c.getName()).map(ObservedPod.Container::id);
    boolean started = runningId.isPresent() && in.readiness().started(c.getName(), runningId.get());
    s.setStarted(started);
    s.setReady(started && in.readiness().ready(c.getName(), runningId.get()));
  }

  static boolean isSidecar(Container c) {
    return "Always".equals(c.getRestartPolicy());
  }

  private static boolean succeeded(ContainerState s) {
    return s.getTerminated() != null && s.getTerminated().getExitCode() == 0;
  }

  private static boolean ready(List<ContainerStatus> statuses, String name) {
    return byName(statuses, name).map(s -> Boolean.TRUE.equals(s.getReady())).orElse(false);
  }

  private static Optional<ContainerStatus> byName(List<ContainerStatus> list, String name) {
    return list.stream().filter(s -> s.getName().equals(name)).findFirst();
  }

  private static PodCondition condition(String type, boolean status, String reason, String msg) {
    return new PodConditionBuilder()
        .withType(type)
        .withStatus(status ? "True" : "False")
        .withReason(reason)
        .withMessage(msg)
        .build();
  }

  private static Optional<String> sameCondition(PodStatus previous, PodCondition now) {
    return previous.getConditions().stream()
        .filter(p -> p.getType().equals(now.getType()) && p.getStatus().equals(now.getStatus()))
        .map(PodCondition::getLastTransitionTime)
        .findFirst();
  }

  /** Go's {@code fmt} of a string slice, as in the kubelet's messages: {@code [a b]}. */
  private static String goList(List<String> names) {
    return "[" + String.join(" ", names) + "]";
  }

  static String time(Instant t) {
    return t.truncatedTo(ChronoUnit.SECONDS).toString();
  }
}
