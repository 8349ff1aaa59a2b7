package io.berth.cri;

/**
 * Something listens at the endpoint but it is not a CRI gRPC server (it speaks plain HTTP/1.1, or
 * closes the connection right away, or answers with frames that are not HTTP/2).
 */
public final class CriProtocolException extends CriException {
  private static final long serialVersionUID = 1L;

  public CriProtocolException(String message, String endpoint, Throwable cause) {
    super(message, "connect", endpoint, cause);
  }
}
