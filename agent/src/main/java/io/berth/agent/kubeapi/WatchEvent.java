package io.berth.agent.kubeapi;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One line of a watch stream: ADDED, MODIFIED, DELETED, BOOKMARK or ERROR (then the object is a
 * Status) and the object as JSON.
 */
public record WatchEvent(String type, JsonNode object) {
  public String resourceVersion() {
    return object.path("metadata").path("resourceVersion").asText("");
  }
}
