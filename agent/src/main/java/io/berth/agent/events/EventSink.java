package io.berth.agent.events;

import io.berth.agent.kubeapi.ApiException;

/**
 * Where events are written (client-go's {@code EventSink}): the API server, or a fake in tests.
 * Both calls return the event as the server stored it (its name and resourceVersion).
 */
public interface EventSink {
  CoreEvent create(CoreEvent e) throws ApiException, InterruptedException;

  /**
   * Records {@code e} again on the existing event {@code e.name()}: count, lastTimestamp, message.
   */
  CoreEvent patch(CoreEvent e) throws ApiException, InterruptedException;
}
