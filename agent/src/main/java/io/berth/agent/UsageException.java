package io.berth.agent;

/** A command line berth cannot act on; the message says what is wrong with it. */
final class UsageException extends RuntimeException {
  UsageException(String message) {
    super(message);
  }
}
