package io.berth.cri;

/** The runtime does not implement this RPC (gRPC UNIMPLEMENTED). */
public final class CriUnimplementedException extends CriException {
  private static final long serialVersionUID = 1L;

  public CriUnimplementedException(
      String operation, String subject, String detail, Throwable cause) {
    super(describe(operation, subject, "unimplemented: " + detail), operation, subject, cause);
  }
}
