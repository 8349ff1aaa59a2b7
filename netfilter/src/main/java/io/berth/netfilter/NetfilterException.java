package io.berth.netfilter;

/** A netfilter operation failed; the message says which operation and where. */
public class NetfilterException extends Exception {
  public NetfilterException(String message) {
    super(message);
  }

  public NetfilterException(String message, Throwable cause) {
    super(message, cause);
  }
}
