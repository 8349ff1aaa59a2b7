package io.berth.agent.kuberuntime;

import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import java.time.Instant;
import java.util.Optional;

/**
 * Runtime container states in the API's shape (kubelet_pods.go {@code
 * convertToAPIContainerStatuses} and kuberuntime's {@code toKubeContainerStatus}): running with
 * {@code startedAt}; terminated with exit code, reason, message and times; created and unknown
 * collapse to waiting. An exited container without a runtime reason gets {@code Completed} (exit 0)
 * or {@code Error}, as containerd reports them; {@code OOMKilled} and others are kept.
 */
public final class ContainerStates {
  private ContainerStates() {}

  public static final String REASON_COMPLETED = "Completed";
  public static final String REASON_ERROR = "Error";
  public static final String REASON_CONTAINER_CREATING = "ContainerCreating";
  public static final String REASON_POD_INITIALIZING = "PodInitializing";

  /** The state of one runtime container instance. */
  public static ContainerState of(ObservedPod.Container c, String runtimeName) {
    return switch (c.state()) {
      case RUNNING ->
          new ContainerStateBuilder()
              .withNewRunning()
              .withStartedAt(time(c.startedAt()))
              .endRunning()
              .build();
      case EXITED ->
          new ContainerStateBuilder()
              .withNewTerminated()
              .withExitCode(c.exitCode())
              .withReason(exitReason(c))
              .withMessage(c.message().isEmpty() ? null : c.message())
              .withStartedAt(time(c.startedAt()))
              .withFinishedAt(time(c.finishedAt()))
              .withContainerID(containerId(runtimeName, c.id()))
              .endTerminated()
              .build();
      case CREATED, UNKNOWN -> new ContainerStateBuilder().withNewWaiting().endWaiting().build();
    };
  }

  /**
   * A waiting state with the kubelet's reason (e.g. {@code CrashLoopBackOff}, {@code
   * ErrImagePull}).
   */
  public static ContainerState waiting(String reason, String message) {
    return new ContainerStateBuilder()
        .withNewWaiting()
        .withReason(reason)
        .withMessage(message == null || message.isEmpty() ? null : message)
        .endWaiting()
        .build();
  }

  /**
   * The API status of container {@code name}: state from the newest instance (or waiting with
   * {@code ContainerCreating} when none), last state from the newest earlier exited instance,
   * restart count from the newest instance.
   *
   * @param waitingOverride the reason the last sync could not start it (back-off, image pull,
   *     config error), shown instead of a terminated/waiting state when present
   */
  public static ContainerStatus status(
      String name,
      String image,
      ObservedPod observed,
      String runtimeName,
      Optional<ContainerState> waitingOverride) {
    Optional<ObservedPod.Container> latest = observed.latest(name);
    ContainerStatusBuilder b =
        new ContainerStatusBuilder().withName(name).withImage(image).withReady(false);
    if (latest.isEmpty()) {
      return b.withRestartCount(0)
          .withState(waitingOverride.orElse(waiting(REASON_CONTAINER_CREATING, "")))
          .withLastState(new ContainerState())
          .build();
    }
    ObservedPod.Container c = latest.get();
    ContainerState state = of(c, runtimeName);
    ContainerState last = new ContainerState();
    if (c.state() == io.berth.cri.ContainerState.EXITED && waitingOverride.isPresent()) {
      last = state; // the kubelet shows the back-off as the state and the exit as the last state
      state = waitingOverride.get();
    } else {
      Optional<ObservedPod.Container> previous =
          observed.containers().stream()
              .filter(
                  o ->
                      o.name().equals(name)
                          && o != c
                          && o.state() == io.berth.cri.ContainerState.EXITED)
              .findFirst();
      if (previous.isPresent()) {
        last = of(previous.get(), runtimeName);
      }
    }
    return b.withRestartCount(c.restartCount())
        .withState(state)
        .withLastState(last)
        .withContainerID(containerId(runtimeName, c.id()))
        .withImageID(c.imageRef().isEmpty() ? null : c.imageRef())
        .withStarted(c.state() == io.berth.cri.ContainerState.RUNNING)
        .build();
  }

  static String exitReason(ObservedPod.Container c) {
    if (!c.reason().isEmpty()) {
      return c.reason();
    }
    return c.exitCode() == 0 ? REASON_COMPLETED : REASON_ERROR;
  }

  /** {@code <runtime>://<id>}, e.g. {@code containerd://3f2a…}. */
  static String containerId(String runtimeName, String id) {
    return runtimeName + "://" + id;
  }

  private static String time(Instant t) {
    return t == null ? null : t.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
  }
}
