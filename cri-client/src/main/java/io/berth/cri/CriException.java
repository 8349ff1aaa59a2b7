package io.berth.cri;

/**
 * A CRI call failed. Subtypes say why, so callers can branch on them; every message names the
 * operation and the sandbox, container or image it was about, e.g. {@code "StopContainer 3f2a…: not
 * found: container not found"}.
 *
 * <p>Unchecked: a runtime that fails is an environmental condition that most callers propagate.
 */
public abstract sealed class CriException extends RuntimeException
    permits CriNotFoundException,
        CriAlreadyExistsException,
        CriUnavailableException,
        CriDeadlineExceededException,
        CriUnimplementedException,
        CriUnsupportedApiException,
        CriProtocolException,
        CriCallException {

  private final String operation;
  private final String subject;

  /**
   * @param message the complete one-line message
   * @param operation the CRI RPC name (e.g. {@code "StopContainer"}) or {@code "connect"}
   * @param subject the sandbox, container or image id, or the endpoint; empty when none
   * @param cause the underlying error, may be {@code null}
   */
  protected CriException(String message, String operation, String subject, Throwable cause) {
    super(message, cause);
    this.operation = operation;
    this.subject = subject == null ? "" : subject;
  }

  /** The CRI RPC name (e.g. {@code "StopContainer"}) or {@code "connect"}. */
  public String operation() {
    return operation;
  }

  /** The id of the sandbox, container or image involved, or the endpoint; empty when none. */
  public String subject() {
    return subject;
  }

  /** Builds the standard message {@code "<operation> <subject>: <detail>"}. */
  protected static String describe(String operation, String subject, String detail) {
    StringBuilder sb = new StringBuilder(operation);
    if (subject != null && !subject.isEmpty()) {
      sb.append(' ').append(subject);
    }
    return sb.append(": ").append(detail).toString();
  }
}
