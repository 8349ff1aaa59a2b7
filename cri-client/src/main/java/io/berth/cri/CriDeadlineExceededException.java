package io.berth.cri;

/** The call did not finish within its deadline (gRPC DEADLINE_EXCEEDED). */
public final class CriDeadlineExceededException extends CriException {
  private static final long serialVersionUID = 1L;

  public CriDeadlineExceededException(
      String operation, String subject, String detail, Throwable cause) {
    super(describe(operation, subject, "deadline exceeded: " + detail), operation, subject, cause);
  }
}
