package io.berth.agent.server;

/** Failures of the node API that callers branch on. */
public sealed class NodeApiException extends RuntimeException {
  NodeApiException(String message, Throwable cause) {
    super(message, cause);
  }

  /** The API server could not answer a TokenReview or SubjectAccessReview. */
  public static final class Unavailable extends NodeApiException {
    public Unavailable(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** The serving certificate or CA bundle cannot be read or made. */
  public static final class TlsSetup extends NodeApiException {
    public TlsSetup(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** A request with a bad parameter or name: 400; the message names it, never its value. */
  public static final class BadRequest extends NodeApiException {
    public BadRequest(String message) {
      super(message, null);
    }
  }
}
