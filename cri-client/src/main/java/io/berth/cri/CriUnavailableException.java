package io.berth.cri;

/**
 * The runtime cannot be reached: the socket is missing, nobody listens on it, or the runtime went
 * away during the call (gRPC UNAVAILABLE). Usually transient: the channel reconnects by itself.
 */
public final class CriUnavailableException extends CriException {
  private static final long serialVersionUID = 1L;

  public CriUnavailableException(String operation, String subject, String detail, Throwable cause) {
    super(describe(operation, subject, "unavailable: " + detail), operation, subject, cause);
  }

  /** For connect-time failures whose message is already complete. */
  public static CriUnavailableException ofMessage(
      String message, String operation, String subject, Throwable cause) {
    return new CriUnavailableException(message, operation, subject, cause, true);
  }

  private CriUnavailableException(
      String message, String operation, String subject, Throwable cause, boolean verbatim) {
    super(message, operation, subject, cause);
  }
}
