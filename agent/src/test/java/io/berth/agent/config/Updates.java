package io.berth.agent.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Drains a {@link PodConfig}'s update queue for assertions. */
final class Updates {
  private Updates() {}

  /** Every update queued right now. */
  static List<PodUpdate> drain(PodConfig config) throws InterruptedException {
    List<PodUpdate> out = new ArrayList<>();
    PodUpdate u;
    while ((u = config.poll(Duration.ZERO)) != null) {
      out.add(u);
    }
    return out;
  }

  /** A short rendering such as {@code ADD file [web-node1]}. */
  static String describe(PodUpdate u) {
    String op =
        switch (u) {
          case PodUpdate.Add a -> "ADD " + a.source().annotationValue();
          case PodUpdate.Update x -> "UPDATE " + x.source().annotationValue();
          case PodUpdate.Delete x -> "DELETE " + x.source().annotationValue();
          case PodUpdate.Remove x -> "REMOVE " + x.source().annotationValue();
          case PodUpdate.Reconcile x -> "RECONCILE " + x.source().annotationValue();
          case PodUpdate.Set x -> "SET *";
        };
    return op + " " + u.pods().stream().map(p -> p.getMetadata().getName()).toList();
  }

  static List<String> describeAll(List<PodUpdate> updates) {
    return updates.stream().map(Updates::describe).toList();
  }
}
