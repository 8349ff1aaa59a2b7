package io.berth.cri;

/** The sandbox, container or image does not exist (gRPC NOT_FOUND). */
public final class CriNotFoundException extends CriException {
  private static final long serialVersionUID = 1L;

  public CriNotFoundException(String operation, String subject, String detail, Throwable cause) {
    super(describe(operation, subject, "not found: " + detail), operation, subject, cause);
  }
}
