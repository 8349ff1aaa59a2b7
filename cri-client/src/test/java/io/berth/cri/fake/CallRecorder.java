package io.berth.cri.fake;

import com.google.protobuf.Message;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * What the fakes share: every request is recorded with the deadline it carried; an RPC can be made
 * to fail once or to answer late. Handlers answer through {@link #handle}, throwing a {@link
 * StatusRuntimeException} to fail.
 *
 * <p>Thread safety: thread-safe.
 */
public final class CallRecorder {
  private final List<Message> requests = new CopyOnWriteArrayList<>();
  private final Map<String, Status> failNext = new ConcurrentHashMap<>();
  private final Map<String, Integer> failTimes = new ConcurrentHashMap<>();
  private final Map<String, Duration> delays = new ConcurrentHashMap<>();
  private final Map<String, Long> deadlinesNanos = new ConcurrentHashMap<>();

  /** The next call of {@code method} (e.g. {@code "StopContainer"}) fails with {@code status}. */
  public void failNext(String method, Status status) {
    failNext.put(method, status);
  }

  /** The next {@code times} calls of {@code method} fail with {@code status}. */
  public void failNextTimes(String method, Status status, int times) {
    failTimes.put(method, times);
    failNext.put(method, status);
  }

  /** Every call of {@code method} sleeps this long before answering. */
  public void delay(String method, Duration duration) {
    delays.put(method, duration);
  }

  /** The last request of this type received, or throws. */
  public <T extends Message> T lastRequest(Class<T> type) {
    for (int i = requests.size() - 1; i >= 0; i--) {
      if (type.isInstance(requests.get(i))) {
        return type.cast(requests.get(i));
      }
    }
    throw new AssertionError("no " + type.getSimpleName() + " received; got " + requests.size());
  }

  /** Remaining time of the deadline the last call of {@code method} carried when it arrived. */
  public Duration lastDeadline(String method) {
    Long nanos = deadlinesNanos.get(method);
    return nanos == null ? null : Duration.ofNanos(nanos);
  }

  <R> void handle(String method, Message request, StreamObserver<R> out, Supplier<R> body) {
    requests.add(request);
    Deadline deadline = Context.current().getDeadline();
    if (deadline != null) {
      deadlinesNanos.put(method, deadline.timeRemaining(TimeUnit.NANOSECONDS));
    }
    Duration delay = delays.get(method);
    if (delay != null) {
      try {
        Thread.sleep(delay);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (Context.current().isCancelled()) {
      return; // the client gave up (deadline) while we were delayed
    }
    Status failure =
        failTimes.computeIfPresent(method, (m, n) -> n > 1 ? n - 1 : null) != null
            ? failNext.get(method)
            : failNext.remove(method);
    if (failure != null) {
      out.onError(failure.asRuntimeException());
      return;
    }
    R response;
    try {
      response = body.get();
    } catch (StatusRuntimeException e) {
      out.onError(e);
      return;
    }
    out.onNext(response);
    out.onCompleted();
  }
}
