package io.berth.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** {@code berth probes}: the table made from {@code GET /probes}. */
class ProbesCommandTest {
  @Test
  void oneRowPerProbeWithTheLastResultOnOneLine() throws Exception {
    var items =
        new ObjectMapper()
            .readTree(
                """
                {"items":[
                 {"namespace":"default","pod":"web","podUID":"u1","container":"app",
                  "probeType":"Liveness","containerID":"c1","result":"failed",
                  "message":"HTTP probe failed with statuscode: 500\\nsecond line of a long body that goes on and on and on",
                  "onHold":true,"probes":7},
                 {"namespace":"default","pod":"web","podUID":"u1","container":"app",
                  "probeType":"Readiness","containerID":null,"result":null,"message":null,
                  "onHold":false,"probes":0}]}
                """)
            .path("items");
    assertThat(ProbesCommand.table(items))
        .isEqualTo(
            """
            NAMESPACE   POD   CONTAINER   PROBE       RESULT   PROBES   HOLD   MESSAGE
            default     web   app         Liveness    failed   7        yes    HTTP probe failed with statuscode: 500 second line of a lon…
            default     web   app         Readiness   <none>   0        no     \n\
            """);
  }
}
