package io.berth.agent.config;

import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;
import java.util.Objects;

/**
 * The full current state of one source, sent to {@link PodConfig#merge}: every pod it offers
 * (already defaulted and validated) and every manifest it currently refuses. Like the kubelet's
 * {@code SET}, pods the source offered before and leaves out now are removed.
 */
public record SourceSnapshot(ConfigSource source, List<Pod> pods, List<RejectedManifest> rejected) {
  public SourceSnapshot {
    Objects.requireNonNull(source, "source");
    pods = List.copyOf(pods);
    rejected = List.copyOf(rejected);
  }
}
