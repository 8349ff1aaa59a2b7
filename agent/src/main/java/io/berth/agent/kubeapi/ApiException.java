package io.berth.agent.kubeapi;

/**
 * A request the API server answered with an error {@code Status} (or a transport failure, code 0):
 * the HTTP code, the Status reason (NotFound, AlreadyExists, Conflict, Expired, Gone,
 * TooManyRequests, InternalError, ...), its message and the request that failed.
 */
public final class ApiException extends Exception {
  private final int code;
  private final String reason;
  private final String request;

  public ApiException(int code, String reason, String message, String request, Throwable cause) {
    super(request + ": " + (code == 0 ? "" : code + " " + reason + ": ") + message, cause);
    this.code = code;
    this.reason = reason;
    this.request = request;
  }

  /** The HTTP status code; 0 when the server could not be reached or the stream broke. */
  public int code() {
    return code;
  }

  public String reason() {
    return reason;
  }

  /** Method and path of the failed request. */
  public String request() {
    return request;
  }

  public boolean isNotFound() {
    return code == 404;
  }

  public boolean isConflict() {
    return code == 409 && !"AlreadyExists".equals(reason);
  }

  public boolean isAlreadyExists() {
    return code == 409 && "AlreadyExists".equals(reason);
  }

  /** 410: the resourceVersion or continue token was compacted; list again. */
  public boolean isGone() {
    return code == 410;
  }

  /** Worth retrying after a back-off: transport failures, 429 and 5xx. */
  public boolean isRetryable() {
    return code == 0 || code == 429 || code >= 500;
  }
}
