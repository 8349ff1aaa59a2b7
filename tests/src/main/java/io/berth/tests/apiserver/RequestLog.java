package io.berth.tests.apiserver;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** What clients asked the test API server: counts, bytes sent and the last requests. */
public final class RequestLog {
  /** One request as received. */
  public record Entry(
      String method, String uri, boolean watch, String authorization, String userAgent) {}

  private static final int KEPT = 10_000;

  private final ArrayDeque<Entry> entries = new ArrayDeque<>();
  private final AtomicLong count = new AtomicLong();
  private final AtomicLong bytesSent = new AtomicLong();
  private final AtomicLong bytesReceived = new AtomicLong();

  void record(String method, String uri, boolean watch, String authorization, String userAgent) {
    count.incrementAndGet();
    synchronized (entries) {
      entries.addLast(new Entry(method, uri, watch, authorization, userAgent));
      if (entries.size() > KEPT) {
        entries.removeFirst();
      }
    }
  }

  void sent(long bytes) {
    bytesSent.addAndGet(bytes);
  }

  void received(long bytes) {
    bytesReceived.addAndGet(bytes);
  }

  /** Bytes of request bodies (creates, updates, patches). */
  public long bytesReceived() {
    return bytesReceived.get();
  }

  public long count() {
    return count.get();
  }

  /** Bytes of non-watch response bodies. */
  public long bytesSent() {
    return bytesSent.get();
  }

  /** The last (up to 10 000) requests, oldest first. */
  public List<Entry> entries() {
    synchronized (entries) {
      return new ArrayList<>(entries);
    }
  }
}
