package io.berth.agent.events;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.agent.kubeapi.ApiException;
import io.berth.agent.kubeapi.KubeApiClient;

/**
 * Events to {@code /api/v1/namespaces/NS/events}: POST for a new one, a strategic merge PATCH of
 * count, lastTimestamp and message for one seen again (as client-go's {@code recordEvent}).
 */
public final class ApiEventSink implements EventSink {
  private final KubeApiClient api;

  public ApiEventSink(KubeApiClient api) {
    this.api = api;
  }

  @Override
  public CoreEvent create(CoreEvent e) throws ApiException, InterruptedException {
    return stored(e, api.create(collection(e), e.toJson(api.json())));
  }

  @Override
  public CoreEvent patch(CoreEvent e) throws ApiException, InterruptedException {
    return stored(
        e,
        api.patch(
            collection(e) + "/" + e.name(),
            KubeApiClient.PatchType.STRATEGIC,
            e.patchJson(api.json())));
  }

  private static String collection(CoreEvent e) {
    return "/api/v1/namespaces/" + e.namespace() + "/events";
  }

  private static CoreEvent stored(CoreEvent sent, JsonNode answer) {
    JsonNode meta = answer.path("metadata");
    return new CoreEvent(
        meta.path("name").asText(sent.name()),
        sent.namespace(),
        sent.involvedObject(),
        sent.type(),
        sent.reason(),
        sent.message(),
        sent.sourceHost(),
        sent.firstTimestamp(),
        sent.lastTimestamp(),
        answer.path("count").asInt(sent.count()),
        meta.path("resourceVersion").asText(""));
  }
}
