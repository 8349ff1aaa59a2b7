package io.berth.agent.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ListMetaBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceListBuilder;
import java.util.Comparator;
import java.util.List;

/** {@code GET /services}: the Services berth's proxy programs, as a v1 ServiceList. */
public final class ServiceListReply {
  private ServiceListReply() {}

  /** The reply for {@code services}, sorted by namespace and name. */
  public static HttpReply of(List<Service> services, ObjectMapper json) {
    var list =
        new ServiceListBuilder()
            .withApiVersion("v1")
            .withKind("ServiceList")
            .withMetadata(new ListMetaBuilder().build())
            .withItems(
                services.stream()
                    .sorted(
                        Comparator.comparing((Service s) -> s.getMetadata().getNamespace())
                            .thenComparing(s -> s.getMetadata().getName()))
                    .toList())
            .build();
    try {
      return HttpReply.ok(HttpReply.JSON, json.writeValueAsString(list) + "\n");
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialize the Services: " + e.getMessage(), e);
    }
  }
}
