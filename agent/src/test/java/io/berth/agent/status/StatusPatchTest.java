package io.berth.agent.status;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class StatusPatchTest {
  private final ObjectMapper json = new ObjectMapper();

  private JsonNode j(String s) throws Exception {
    return json.readTree(s.replace('\'', '"'));
  }

  @Test
  void onlyChangedFieldsListsWholeRemovedFieldsNull() throws Exception {
    JsonNode from =
        j(
            "{'phase':'Pending','podIP':'10.0.0.2','hostIP':'10.0.0.1','message':'x',"
                + "'conditions':[{'type':'Ready','status':'False'}],'nested':{'a':1,'b':2}}");
    JsonNode to =
        j(
            "{'phase':'Running','podIP':'10.0.0.2','hostIP':'10.0.0.1',"
                + "'conditions':[{'type':'Ready','status':'True'}],'nested':{'a':1,'b':3}}");
    assertThat(StatusPatch.diff(from, to, true))
        .isEqualTo(
            j(
                "{'phase':'Running','conditions':[{'type':'Ready','status':'True'}],"
                    + "'nested':{'b':3},'message':null}"));
    assertThat(StatusPatch.diff(from, to, false))
        .as("fields berth never sent are left to whoever wrote them")
        .isEqualTo(
            j(
                "{'phase':'Running','conditions':[{'type':'Ready','status':'True'}],"
                    + "'nested':{'b':3}}"));
  }

  @Test
  void equalStatusesGiveAnEmptyPatchAndANullBaseGivesEverything() throws Exception {
    JsonNode s = j("{'phase':'Running','podIPs':[{'ip':'10.0.0.2'}]}");
    assertThat(StatusPatch.diff(s, s, true).isEmpty()).isTrue();
    assertThat(StatusPatch.diff(null, s, true)).isEqualTo(s);
  }
}
