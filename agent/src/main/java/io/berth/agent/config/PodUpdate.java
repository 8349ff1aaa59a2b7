package io.berth.agent.config;

import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;

/**
 * One change of the merged pod configuration, as the kubelet's {@code kubetypes.PodUpdate} ops. The
 * sync loop switches over these exhaustively. The pods are deep copies owned by the receiver.
 */
public sealed interface PodUpdate {

  /** The pods the update is about. */
  List<Pod> pods();

  /** New pods from {@code source}. Also sent empty once when a source is first seen empty. */
  record Add(ConfigSource source, List<Pod> pods) implements PodUpdate {
    public Add {
      pods = List.copyOf(pods);
    }
  }

  /** Pods whose spec, labels or annotations changed meaningfully. */
  record Update(ConfigSource source, List<Pod> pods) implements PodUpdate {
    public Update {
      pods = List.copyOf(pods);
    }
  }

  /** Pods that got a deletion timestamp: terminate them gracefully. */
  record Delete(ConfigSource source, List<Pod> pods) implements PodUpdate {
    public Delete {
      pods = List.copyOf(pods);
    }
  }

  /** Pods that the source no longer has: stop them and forget them. */
  record Remove(ConfigSource source, List<Pod> pods) implements PodUpdate {
    public Remove {
      pods = List.copyOf(pods);
    }
  }

  /** Pods whose status only changed; the kubelet is the source of truth for status. */
  record Reconcile(ConfigSource source, List<Pod> pods) implements PodUpdate {
    public Reconcile {
      pods = List.copyOf(pods);
    }
  }

  /** The whole merged state of all sources, sent by {@link PodConfig#sync()}. */
  record Set(List<Pod> pods) implements PodUpdate {
    public Set {
      pods = List.copyOf(pods);
    }
  }
}
