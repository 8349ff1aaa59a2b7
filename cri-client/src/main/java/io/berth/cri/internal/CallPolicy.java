package io.berth.cri.internal;

import io.berth.cri.CriCallObserver;
import io.berth.cri.CriException;
import io.berth.cri.CriOptions;
import io.berth.cri.CriUnavailableException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.AbstractStub;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * How every CRI call is made: a per-call deadline, a short wait for a reconnecting channel, one
 * retry of idempotent reads that failed with UNAVAILABLE, and translation of gRPC failures into
 * {@link CriException}s that name the operation and the id involved.
 *
 * <pre>
 *   call ─▶ channel in TRANSIENT_FAILURE? ─yes─▶ reset backoff, wait ≤ retry window for READY
 *        ─▶ stub.withDeadlineAfter(timeout).rpc(request)
 *        ─▶ UNAVAILABLE and idempotent? ─yes─▶ reconnect (≤ retry window), then try once more
 *        ─▶ "still starting" and idempotent? ─yes─▶ retry every 100 ms within the retry window
 *        ─▶ failure ─▶ StatusTranslator ─▶ CriNotFoundException / … / CriCallException
 * </pre>
 *
 * <p>Thread safety: immutable, thread-safe.
 */
final class CallPolicy {
  /** Whether a call may be retried after UNAVAILABLE without changing the result. */
  enum Retry {
    IDEMPOTENT,
    ONCE
  }

  private static final Duration STARTING_POLL = Duration.ofMillis(100);

  private final UnixEndpoint endpoint;
  private final UdsChannel channel;
  private final CriOptions options;
  private final CriCallObserver observer;

  CallPolicy(
      UnixEndpoint endpoint, UdsChannel channel, CriOptions options, CriCallObserver observer) {
    this.endpoint = endpoint;
    this.channel = channel;
    this.options = options;
    this.observer = observer;
  }

  CriOptions options() {
    return options;
  }

  <S extends AbstractStub<S>, R> R call(
      S stub, String operation, String subject, Duration timeout, Retry retry, Function<S, R> rpc) {
    long start = System.nanoTime();
    String outcome = "OK";
    try {
      return attempt(stub, operation, subject, timeout, retry, rpc);
    } catch (RuntimeException e) {
      outcome =
          e.getCause() instanceof StatusRuntimeException s
              ? s.getStatus().getCode().name()
              : e instanceof CriException ? "UNKNOWN" : "CLIENT_ERROR";
      throw e;
    } finally {
      observer.completed(operation, Duration.ofNanos(System.nanoTime() - start), outcome);
    }
  }

  private <S extends AbstractStub<S>, R> R attempt(
      S stub, String operation, String subject, Duration timeout, Retry retry, Function<S, R> rpc) {
    channel.awaitReady(options.unavailableRetryWindow());
    try {
      return rpc.apply(stub.withDeadlineAfter(timeout.toNanos(), TimeUnit.NANOSECONDS));
    } catch (StatusRuntimeException first) {
      if (retry == Retry.IDEMPOTENT
          && first.getStatus().getCode() == Status.Code.UNAVAILABLE
          && !options.unavailableRetryWindow().isZero()) {
        return retryAfterReconnect(stub, operation, subject, timeout, rpc, first);
      }
      if (retry == Retry.IDEMPOTENT
          && StatusTranslator.runtimeStarting(first.getStatus())
          && !options.unavailableRetryWindow().isZero()) {
        return retryWhileStarting(stub, operation, subject, timeout, rpc, first);
      }
      throw translate(first, operation, subject, timeout);
    }
  }

  private <S extends AbstractStub<S>, R> R retryAfterReconnect(
      S stub,
      String operation,
      String subject,
      Duration timeout,
      Function<S, R> rpc,
      StatusRuntimeException first) {
    if (!channel.reconnect(options.unavailableRetryWindow())) {
      throw translate(first, operation, subject, timeout);
    }
    try {
      return rpc.apply(stub.withDeadlineAfter(timeout.toNanos(), TimeUnit.NANOSECONDS));
    } catch (StatusRuntimeException second) {
      throw translate(second, operation, subject, timeout);
    }
  }

  /**
   * The runtime answers but its CRI service is still initializing: poll until it serves the call or
   * the retry window ends. Only for idempotent calls.
   */
  private <S extends AbstractStub<S>, R> R retryWhileStarting(
      S stub,
      String operation,
      String subject,
      Duration timeout,
      Function<S, R> rpc,
      StatusRuntimeException first) {
    long deadline = System.nanoTime() + options.unavailableRetryWindow().toNanos();
    StatusRuntimeException last = first;
    while (System.nanoTime() < deadline) {
      try {
        Thread.sleep(STARTING_POLL);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      try {
        return rpc.apply(stub.withDeadlineAfter(timeout.toNanos(), TimeUnit.NANOSECONDS));
      } catch (StatusRuntimeException again) {
        last = again;
        if (!StatusTranslator.runtimeStarting(again.getStatus())) {
          break;
        }
      }
    }
    throw translate(last, operation, subject, timeout);
  }

  /**
   * Translates a failure; for UNAVAILABLE, says whether the socket file is gone, which gRPC's own
   * "io exception" does not.
   */
  private CriException translate(
      StatusRuntimeException e, String operation, String subject, Duration timeout) {
    if (e.getStatus().getCode() == Status.Code.UNAVAILABLE
        && !Files.exists(endpoint.socket(), LinkOption.NOFOLLOW_LINKS)) {
      return new CriUnavailableException(
          operation,
          subject,
          "no CRI runtime listening at "
              + endpoint
              + ": socket file does not exist ("
              + StatusTranslator.detail(e.getStatus())
              + ")",
          e);
    }
    return StatusTranslator.translate(e, operation, subject, timeout);
  }
}
