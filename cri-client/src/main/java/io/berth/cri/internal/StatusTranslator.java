package io.berth.cri.internal;

import io.berth.cri.CriAlreadyExistsException;
import io.berth.cri.CriCallException;
import io.berth.cri.CriDeadlineExceededException;
import io.berth.cri.CriException;
import io.berth.cri.CriNotFoundException;
import io.berth.cri.CriUnavailableException;
import io.berth.cri.CriUnimplementedException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;

/** Turns a gRPC failure into the matching {@link CriException} with operation and id. */
final class StatusTranslator {
  private StatusTranslator() {}

  static CriException translate(
      StatusRuntimeException e, String operation, String subject, Duration deadline) {
    Status status = e.getStatus();
    String detail = detail(status);
    if (runtimeStarting(status)) {
      return new CriUnavailableException(
          operation, subject, "the runtime is still starting (" + detail + ")", e);
    }
    return switch (status.getCode()) {
      case NOT_FOUND -> new CriNotFoundException(operation, subject, detail, e);
      case ALREADY_EXISTS -> new CriAlreadyExistsException(operation, subject, detail, e);
      case UNAVAILABLE -> new CriUnavailableException(operation, subject, detail, e);
      case DEADLINE_EXCEEDED ->
          new CriDeadlineExceededException(
              operation,
              subject,
              "no answer within " + Durations.human(deadline) + " (" + detail + ")",
              e);
      case UNIMPLEMENTED -> new CriUnimplementedException(operation, subject, detail, e);
      default -> new CriCallException(operation, subject, status.getCode().name(), detail, e);
    };
  }

  /**
   * Whether the runtime answered but its CRI service is not up yet: containerd's CRI plugin says
   * "server is not initialized yet" (as UNKNOWN) for a moment after every start, while it recovers
   * its sandboxes and containers. For a caller that is the runtime being unavailable.
   */
  static boolean runtimeStarting(Status status) {
    String description = status.getDescription();
    return status.getCode() == Status.Code.UNKNOWN
        && description != null
        && description.contains("server is not initialized yet");
  }

  /** The status description, else the innermost cause message, else the code name. */
  static String detail(Status status) {
    String description = status.getDescription();
    Throwable root = rootCause(status.getCause());
    String causeMessage = root == null ? null : root.getMessage();
    if (description != null && !description.isBlank()) {
      if (causeMessage != null && !causeMessage.isBlank() && !description.contains(causeMessage)) {
        return description + ": " + causeMessage;
      }
      return description;
    }
    if (causeMessage != null && !causeMessage.isBlank()) {
      return causeMessage;
    }
    return status.getCode().name();
  }

  static Throwable rootCause(Throwable t) {
    Throwable current = t;
    while (current != null && current.getCause() != null && current.getCause() != current) {
      current = current.getCause();
    }
    return current;
  }
}
