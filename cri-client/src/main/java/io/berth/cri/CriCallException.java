package io.berth.cri;

/**
 * Any other failed call; {@link #grpcCode()} carries the gRPC status code name (e.g. {@code
 * "INTERNAL"}, {@code "INVALID_ARGUMENT"}, {@code "FAILED_PRECONDITION"}).
 */
public final class CriCallException extends CriException {
  private static final long serialVersionUID = 1L;

  private final String grpcCode;

  public CriCallException(
      String operation, String subject, String grpcCode, String detail, Throwable cause) {
    super(
        describe(operation, subject, grpcCode.toLowerCase(java.util.Locale.ROOT) + ": " + detail),
        operation,
        subject,
        cause);
    this.grpcCode = grpcCode;
  }

  /** The gRPC status code name, e.g. {@code "INTERNAL"}. */
  public String grpcCode() {
    return grpcCode;
  }
}
