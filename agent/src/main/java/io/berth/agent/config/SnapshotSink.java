package io.berth.agent.config;

import java.util.List;

/** Where a pod source delivers its state; {@link PodConfig} is the implementation. */
public interface SnapshotSink {
  /**
   * Declares a source that will deliver snapshots, like the kubelet's {@code PodConfig.Channel}:
   * readiness then waits for it. Sources call this from their constructor.
   */
  void register(ConfigSource source);

  /** The source's full current state (the kubelet's {@code SET}); marks the source seen. */
  void merge(SourceSnapshot snapshot);

  /** The source could not list anything; record why without touching its pods. */
  void reportRejected(ConfigSource source, List<RejectedManifest> rejected);
}
