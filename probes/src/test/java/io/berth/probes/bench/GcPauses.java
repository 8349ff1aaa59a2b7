package io.berth.probes.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * The stop-the-world collections of this JVM while it is open: how many, their total and their
 * longest pause. Concurrent cycles (G1's "Concurrent GC", ZGC's "Cycles") are not pauses and are
 * left out. A pause stops the probe loop too, so it shows in probe latency.
 */
final class GcPauses implements AutoCloseable {
  private final List<Long> pauseMillis = new ArrayList<>();
  private final List<NotificationEmitter> emitters = new ArrayList<>();
  private final NotificationListener listener =
      (notification, handback) -> {
        if (!notification
            .getType()
            .equals(GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION)) {
          return;
        }
        var info =
            GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData());
        if (info.getGcName().contains("Concurrent") || info.getGcName().contains("Cycles")) {
          return;
        }
        synchronized (pauseMillis) {
          pauseMillis.add(info.getGcInfo().getDuration());
        }
      };

  GcPauses() {
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      if (gc instanceof NotificationEmitter emitter) {
        emitter.addNotificationListener(listener, null, null);
        emitters.add(emitter);
      }
    }
  }

  /** E.g. {@code 12 pauses, 85 ms in all, longest 31 ms}. */
  String summary() {
    synchronized (pauseMillis) {
      long total = pauseMillis.stream().mapToLong(Long::longValue).sum();
      long max = pauseMillis.stream().mapToLong(Long::longValue).max().orElse(0);
      return String.format(
          "%d pauses, %d ms in all, longest %d ms", pauseMillis.size(), total, max);
    }
  }

  @Override
  public void close() {
    for (var emitter : emitters) {
      try {
        emitter.removeNotificationListener(listener);
      } catch (javax.management.ListenerNotFoundException e) {
        throw new IllegalStateException("GC listener vanished", e);
      }
    }
  }
}
