package io.berth.agent.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import org.junit.jupiter.api.Test;

class RetainedObjectsTest {
  private final ObjectMapper json = new ObjectMapper();

  private static final String SLICE =
      """
      {"apiVersion":"discovery.k8s.io/v1","kind":"EndpointSlice",
       "metadata":{"name":"web-1","namespace":"shop","labels":{"kubernetes.io/service-name":"web"}},
       "addressType":"IPv4","ports":[{"name":"http","port":8080,"protocol":"TCP"}],
       "endpoints":[{"addresses":["10.1.0.5"],"conditions":{"ready":true},"nodeName":"n1"},
                    {"addresses":["10.1.0.6"],"conditions":{"ready":false,"serving":true}}]}
      """;

  private static final String SERVICE =
      """
      {"apiVersion":"v1","kind":"Service","metadata":{"name":"web","namespace":"shop"},
       "spec":{"clusterIP":"10.96.0.7","ports":[{"name":"http","port":80,"targetPort":8080}]},
       "x-unknown":{"kept":true}}
      """;

  @Test
  void aCompactedSliceSaysTheSameAndSharesItsEmptyMaps() throws Exception {
    EndpointSlice parsed = json.readValue(SLICE, EndpointSlice.class);
    EndpointSlice compacted = RetainedObjects.compact(json.readValue(SLICE, EndpointSlice.class));

    assertThat(compacted).isEqualTo(parsed);
    assertThat(compacted.hashCode()).isEqualTo(parsed.hashCode());
    assertThat(json.writeValueAsString(compacted)).isEqualTo(json.writeValueAsString(parsed));
    // what the proxier reads of it is the same too
    assertThat(SliceInfo.from(compacted, "n1")).isEqualTo(SliceInfo.from(parsed, "n1"));
    var endpoint = compacted.getEndpoints().get(1);
    assertThat(endpoint.getAdditionalProperties()).isSameAs(java.util.Map.of());
    assertThat(endpoint.getConditions().getAdditionalProperties()).isSameAs(java.util.Map.of());
    assertThat(compacted.getMetadata().getAdditionalProperties()).isSameAs(java.util.Map.of());
  }

  @Test
  void unknownFieldsOfAServiceAreKept() throws Exception {
    Service parsed = json.readValue(SERVICE, Service.class);
    Service compacted = RetainedObjects.compact(json.readValue(SERVICE, Service.class));

    assertThat(compacted).isEqualTo(parsed);
    assertThat(compacted.getAdditionalProperties()).containsKey("x-unknown");
    assertThat(json.writeValueAsString(compacted)).isEqualTo(json.writeValueAsString(parsed));
    assertThat(compacted.getSpec().getPorts().get(0).getAdditionalProperties())
        .isSameAs(java.util.Map.of());
  }
}
