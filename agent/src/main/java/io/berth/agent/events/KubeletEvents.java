package io.berth.agent.events;

/** The kubelet's event reasons (pkg/kubelet/events), those berth records. */
public final class KubeletEvents {
  public static final String CREATED_CONTAINER = "Created";
  public static final String STARTED_CONTAINER = "Started";
  public static final String FAILED_TO_CREATE_CONTAINER = "Failed";
  public static final String FAILED_TO_START_CONTAINER = "Failed";
  public static final String KILLING_CONTAINER = "Killing";
  public static final String BACK_OFF_START_CONTAINER = "BackOff";
  public static final String PULLING_IMAGE = "Pulling";
  public static final String PULLED_IMAGE = "Pulled";
  public static final String FAILED_TO_PULL_IMAGE = "Failed";
  public static final String ERR_IMAGE_NEVER_PULL = "ErrImageNeverPull";
  public static final String BACK_OFF_PULL_IMAGE = "BackOff";
  public static final String CONTAINER_UNHEALTHY = "Unhealthy";
  public static final String FAILED_MOUNT_VOLUME = "FailedMount";
  public static final String FAILED_POST_START_HOOK = "FailedPostStartHook";
  public static final String FAILED_PRE_STOP_HOOK = "FailedPreStopHook";
  public static final String STARTING_KUBELET = "Starting";

  /** client-go's source component for everything the kubelet records. */
  public static final String COMPONENT = "kubelet";

  private KubeletEvents() {}
}
