package io.berth.tests.apiserver;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Receives one watch's events, called under the store's lock in resourceVersion order; an
 * implementation only queues the bytes (e.g. a Netty write) and never blocks.
 */
public interface WatchSink {
  /**
   * @param type ADDED, MODIFIED, DELETED, BOOKMARK or ERROR
   * @param object the object (a Status for ERROR); never modify it
   */
  void event(String type, ObjectNode object);
}
