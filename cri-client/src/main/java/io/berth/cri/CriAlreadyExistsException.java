package io.berth.cri;

/** A sandbox or container with that name already exists (gRPC ALREADY_EXISTS). */
public final class CriAlreadyExistsException extends CriException {
  private static final long serialVersionUID = 1L;

  public CriAlreadyExistsException(
      String operation, String subject, String detail, Throwable cause) {
    super(describe(operation, subject, "already exists: " + detail), operation, subject, cause);
  }
}
