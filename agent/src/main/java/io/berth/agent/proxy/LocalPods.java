package io.berth.agent.proxy;

import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;

/**
 * berth's own pods as the service proxy sees them in standalone mode (where no endpointslice
 * controller exists): each pod with its last computed status.
 */
public interface LocalPods {
  /** Every pod berth runs, with its latest status (IPs, conditions, phase). */
  List<Pod> pods();

  /** Whether berth is terminating the pod with this UID (its manifest was removed). */
  boolean terminating(String uid);

  /**
   * True once the pod sources have delivered their state and every pod has a status, so a first
   * sync does not reject a Service whose pods merely have not been looked at yet.
   */
  boolean synced();

  /** No pods, always synced (a proxy without a pod source, and tests). */
  LocalPods NONE =
      new LocalPods() {
        @Override
        public List<Pod> pods() {
          return List.of();
        }

        @Override
        public boolean terminating(String uid) {
          return false;
        }

        @Override
        public boolean synced() {
          return true;
        }
      };
}
