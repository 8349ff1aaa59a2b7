package io.berth.cri;

/**
 * The process at the endpoint speaks gRPC but does not serve the CRI {@code runtime.v1} API (for
 * example a runtime that only serves {@code runtime.v1alpha2}, or the CRI plugin is disabled).
 */
public final class CriUnsupportedApiException extends CriException {
  private static final long serialVersionUID = 1L;

  public CriUnsupportedApiException(String message, String endpoint, Throwable cause) {
    super(message, "connect", endpoint, cause);
  }
}
