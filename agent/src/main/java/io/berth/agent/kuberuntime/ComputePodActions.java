package io.berth.agent.kuberuntime;

import io.berth.agent.kuberuntime.PodActions.KillInfo;
import io.berth.agent.kuberuntime.PodActions.KillReason;
import io.berth.cri.ContainerState;
import io.berth.cri.NamespaceMode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The kubelet's {@code computePodActions} (kuberuntime_manager.go) with {@code
 * computeInitContainerActions} (the sidecar-aware path, kuberuntime_container.go) and {@code
 * PodSandboxChanged} (kuberuntime/util): a pure function from the desired pod, the observed runtime
 * state and the probe results to the {@link PodActions} of one sync.
 *
 * <p>Not covered (yet): ephemeral containers, in-place resize, per-container restart rules, the
 * LegacySidecarContainers code path.
 */
public final class ComputePodActions {
  private final SpecHash hash;

  public ComputePodActions(SpecHash hash) {
    this.hash = hash;
  }

  /** The actions for one sync of {@code pod} (a defaulted pod). */
  public PodActions compute(Pod pod, ObservedPod observed, ProbeResults probes) {
    Builder changes = new Builder();
    Optional<String> terminal = terminalReason(pod);
    if (terminal.isPresent()) {
      changes.killPod = true;
      changes.sandboxId = observed.sandboxes().isEmpty() ? "" : observed.sandboxes().get(0).id();
      changes.attempt = maxAttempt(observed);
      changes.reason = terminal.get();
      return changes.build();
    }

    sandboxChanged(pod, observed, changes);
    List<Container> containers = list(pod.getSpec().getContainers());
    List<Container> inits = list(pod.getSpec().getInitContainers());

    if (changes.createSandbox) {
      changes.killPod = true;
      if (!restartOnFailure(pod) && changes.attempt != 0 && !observed.containers().isEmpty()) {
        // Should not restart the pod: every container has run; just kill what is left.
        changes.createSandbox = false;
        changes.reason += "; restartPolicy Never and containers already ran: not recreating";
        return changes.build();
      }
      List<String> toStart = new ArrayList<>();
      for (Container c : containers) {
        if ("OnFailure".equals(pod.getSpec().getRestartPolicy()) && succeeded(c, observed)) {
          continue;
        }
        toStart.add(c.getName());
      }
      if (toStart.isEmpty() && hasAnyRegularContainerCreated(pod, observed)) {
        changes.createSandbox = false;
        changes.reason += "; all containers succeeded: not recreating";
        return changes.build();
      }
      if (!inits.isEmpty()) {
        changes.initContainersToStart.add(inits.get(0).getName());
        return changes.build();
      }
      changes.containersToStart.addAll(toStart);
      return changes.build();
    }

    boolean initialized = initContainerActions(pod, observed, probes, changes);
    if (changes.killPod || !initialized) {
      return changes.build();
    }

    int keepCount = 0;
    for (Container c : containers) {
      Optional<ObservedPod.Container> status = observed.latest(c.getName());
      if (status.isEmpty() || status.get().state() != ContainerState.RUNNING) {
        if (shouldRestart(c, pod, observed)) {
          changes.containersToStart.add(c.getName());
          if (status.isPresent() && status.get().state() == ContainerState.UNKNOWN) {
            changes.kill(
                status.get().id(),
                c.getName(),
                KillReason.UNKNOWN_STATE,
                "Container is in \"unknown\" state, try killing it before restart");
          }
        }
        continue;
      }
      ObservedPod.Container running = status.get();
      boolean restart = restartOnFailure(pod);
      String message;
      KillReason reason;
      if (changed(c, running)) {
        message = "Container " + c.getName() + " definition changed";
        reason = KillReason.SPEC_CHANGED;
        restart = true;
      } else if (probes.livenessOf(running.id()) == ProbeResults.Result.FAILURE) {
        message = "Container " + c.getName() + " failed liveness probe";
        reason = KillReason.LIVENESS_PROBE_FAILED;
      } else if (probes.startupOf(running.id()) == ProbeResults.Result.FAILURE) {
        message = "Container " + c.getName() + " failed startup probe";
        reason = KillReason.STARTUP_PROBE_FAILED;
      } else {
        keepCount++;
        continue;
      }
      if (restart) {
        message += ", will be restarted";
        changes.containersToStart.add(c.getName());
      }
      changes.kill(running.id(), c.getName(), reason, message);
    }

    if (keepCount == 0 && changes.containersToStart.isEmpty()) {
      changes.killPod = true;
      changes.reason = "no container is running or will be started";
      // Sidecars must not keep a finished pod alive.
      changes.initContainersToStart.clear();
    }
    return changes.build();
  }

  /**
   * {@code computeInitContainerActions}: walks the init containers backwards to find the next one
   * to run, keeps sidecars (restartPolicy Always) running; returns whether the pod is initialized.
   */
  private boolean initContainerActions(
      Pod pod, ObservedPod observed, ProbeResults probes, Builder changes) {
    List<Container> inits = list(pod.getSpec().getInitContainers());
    if (inits.isEmpty()) {
      return true;
    }
    boolean podHasInitialized = false;
    for (Container c : list(pod.getSpec().getContainers())) {
      Optional<ObservedPod.Container> s = observed.latest(c.getName());
      if (s.isPresent()
          && (s.get().state() == ContainerState.CREATED
              || s.get().state() == ContainerState.RUNNING)) {
        podHasInitialized = true;
        break;
      }
    }
    boolean previouslyInitialized = podHasInitialized;
    boolean restartOnFailure = restartOnFailure(pod);
    List<String> toStart = new ArrayList<>(); // collected backwards
    int last = inits.size() - 1;
    for (int i = last; i >= 0; i--) {
      Container c = inits.get(i);
      boolean sidecar = isSidecar(c);
      Optional<ObservedPod.Container> found = observed.latest(c.getName());
      if (found.isEmpty()) {
        if (previouslyInitialized && sidecar) {
          toStart.add(c.getName());
        }
        continue;
      }
      ObservedPod.Container s = found.get();
      if (previouslyInitialized && !sidecar) {
        continue; // after initialization only sidecars are kept running
      }
      switch (s.state()) {
        case CREATED -> toStart.add(c.getName()); // the runtime failed to start it: retry
        case RUNNING -> {
          if (!sidecar) {
            break; // wait for it to finish
          }
          if (c.getStartupProbe() != null) {
            ProbeResults.Result startup = probes.startupOf(s.id());
            if (startup == null) {
              break; // wait for the startup probe
            }
            if (startup == ProbeResults.Result.FAILURE) {
              changes.kill(
                  s.id(),
                  c.getName(),
                  KillReason.STARTUP_PROBE_FAILED,
                  "Init container " + c.getName() + " failed startup probe");
              toStart.add(c.getName());
              break;
            }
          }
          if (i == last) {
            podHasInitialized = true;
          } else if (!previouslyInitialized) {
            toStart.add(inits.get(i + 1).getName()); // started for the first time: next one
          }
          if (changed(c, s)) {
            changes.kill(
                s.id(),
                c.getName(),
                KillReason.SPEC_CHANGED,
                "Init container " + c.getName() + " definition changed");
            toStart.add(c.getName());
            break;
          }
          if (c.getLivenessProbe() != null
              && probes.livenessOf(s.id()) == ProbeResults.Result.FAILURE) {
            changes.kill(
                s.id(),
                c.getName(),
                KillReason.LIVENESS_PROBE_FAILED,
                "Init container " + c.getName() + " failed liveness probe");
            toStart.add(c.getName());
          }
        }
        case EXITED -> {
          if (sidecar) {
            toStart.add(c.getName()); // sidecars restart whatever the pod's restartPolicy
          } else if (initFailed(s)) {
            if (!restartOnFailure) {
              changes.killPod = true;
              changes.reason =
                  "init container " + c.getName() + " failed and restartPolicy is Never";
              changes.initContainersToStart.clear();
              return false;
            }
            toStart.add(c.getName());
          } else if (i == last) {
            podHasInitialized = true;
          } else {
            toStart.add(inits.get(i + 1).getName());
          }
        }
        case UNKNOWN -> {
          if (!sidecar && !restartOnFailure) {
            changes.killPod = true;
            changes.reason =
                "init container " + c.getName() + " is in unknown state and restartPolicy is Never";
            changes.initContainersToStart.clear();
            return false;
          }
          changes.kill(
              s.id(),
              c.getName(),
              KillReason.UNKNOWN_STATE,
              "Init container is in \"unknown\" state, try killing it before restart");
          toStart.add(c.getName());
        }
      }
      previouslyInitialized = true;
    }
    if (!previouslyInitialized) {
      toStart.add(inits.get(0).getName());
    }
    Collections.reverse(toStart);
    changes.initContainersToStart.addAll(toStart);
    return podHasInitialized;
  }

  /** {@code PodSandboxChanged}: sets createSandbox, attempt, sandboxId and the reason. */
  private static void sandboxChanged(Pod pod, ObservedPod observed, Builder changes) {
    if (observed.sandboxes().isEmpty()) {
      changes.createSandbox = true;
      changes.attempt = 0;
      changes.reason = "no sandbox for the pod";
      return;
    }
    int ready = 0;
    for (ObservedPod.Sandbox s : observed.sandboxes()) {
      if (s.ready()) {
        ready++;
      }
    }
    int next = maxAttempt(observed) + 1;
    ObservedPod.Sandbox newest = observed.sandboxes().get(0);
    boolean hostNetwork = Boolean.TRUE.equals(pod.getSpec().getHostNetwork());
    NamespaceMode wanted = hostNetwork ? NamespaceMode.NODE : NamespaceMode.POD;
    NamespaceMode actual = newest.network() == null ? NamespaceMode.POD : newest.network();
    if (ready > 1) {
      changes.set(true, next, newest.id(), "multiple sandboxes are ready");
    } else if (!newest.ready()) {
      changes.set(true, next, newest.id(), "the newest sandbox is not ready");
    } else if (actual != wanted) {
      changes.set(true, next, "", "the sandbox's network namespace changed");
    } else if (!hostNetwork && newest.ip().isEmpty()) {
      changes.set(true, next, newest.id(), "the sandbox has no IP address");
    } else {
      changes.set(false, next - 1, newest.id(), "");
    }
  }

  private static int maxAttempt(ObservedPod observed) {
    return observed.sandboxes().stream().mapToInt(ObservedPod.Sandbox::attempt).max().orElse(0);
  }

  /** Succeeded/Failed pods and pods being deleted only get killed. */
  private static Optional<String> terminalReason(Pod pod) {
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    if ("Succeeded".equals(phase) || "Failed".equals(phase)) {
      return Optional.of("pod is terminal (" + phase + ")");
    }
    if (pod.getMetadata().getDeletionTimestamp() != null) {
      return Optional.of("pod is being deleted");
    }
    return Optional.empty();
  }

  private boolean changed(Container c, ObservedPod.Container s) {
    return !hash.of(c).equals(s.hash());
  }

  static boolean isSidecar(Container c) {
    return "Always".equals(c.getRestartPolicy());
  }

  static boolean restartOnFailure(Pod pod) {
    return !"Never".equals(pod.getSpec().getRestartPolicy());
  }

  /** {@code isInitContainerFailed}: OOMKilled, a non-zero exit, or an unknown state. */
  static boolean initFailed(ObservedPod.Container s) {
    return "OOMKilled".equals(s.reason())
        || (s.state() == ContainerState.EXITED && s.exitCode() != 0)
        || s.state() == ContainerState.UNKNOWN;
  }

  private static boolean succeeded(Container c, ObservedPod observed) {
    Optional<ObservedPod.Container> s = observed.latest(c.getName());
    return s.isPresent() && s.get().state() != ContainerState.RUNNING && s.get().exitCode() == 0;
  }

  private static boolean hasAnyRegularContainerCreated(Pod pod, ObservedPod observed) {
    for (Container c : list(pod.getSpec().getContainers())) {
      Optional<ObservedPod.Container> s = observed.latest(c.getName());
      if (s.isPresent()
          && (s.get().state() == ContainerState.CREATED
              || s.get().state() == ContainerState.RUNNING
              || s.get().state() == ContainerState.EXITED)) {
        return true;
      }
    }
    return false;
  }

  /** {@code ShouldContainerBeRestarted}. */
  static boolean shouldRestart(Container c, Pod pod, ObservedPod observed) {
    if (pod.getMetadata().getDeletionTimestamp() != null) {
      return false;
    }
    Optional<ObservedPod.Container> found = observed.latest(c.getName());
    if (found.isEmpty()) {
      return true;
    }
    ObservedPod.Container s = found.get();
    return switch (s.state()) {
      case RUNNING -> false;
      case UNKNOWN, CREATED -> true;
      case EXITED ->
          switch (pod.getSpec().getRestartPolicy() == null
              ? "Always"
              : pod.getSpec().getRestartPolicy()) {
            case "Never" -> false;
            case "OnFailure" -> s.exitCode() != 0;
            default -> true;
          };
    };
  }

  private static <T> List<T> list(List<T> l) {
    return l == null ? List.of() : l;
  }

  /** Mutable accumulator, frozen into a {@link PodActions}. */
  private static final class Builder {
    boolean killPod;
    boolean createSandbox;
    String sandboxId = "";
    int attempt;
    String reason = "";
    final List<String> initContainersToStart = new ArrayList<>();
    final List<String> containersToStart = new ArrayList<>();
    final Map<String, KillInfo> containersToKill = new LinkedHashMap<>();

    void set(boolean create, int attempt, String sandboxId, String reason) {
      this.createSandbox = create;
      this.attempt = attempt;
      this.sandboxId = sandboxId;
      this.reason = reason;
    }

    void kill(String id, String name, KillReason reason, String message) {
      containersToKill.put(id, new KillInfo(name, reason, message));
    }

    PodActions build() {
      return new PodActions(
          killPod,
          createSandbox,
          sandboxId,
          attempt,
          initContainersToStart,
          containersToStart,
          containersToKill,
          reason);
    }
  }
}
