package io.berth.agent.shutdown;

/** A held logind inhibitor lock; closing it releases the lock. Closing twice does nothing. */
public interface InhibitLock extends AutoCloseable {
  @Override
  void close();
}
