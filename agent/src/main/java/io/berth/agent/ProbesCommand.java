package io.berth.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code berth probes}: every probe a running berth runs, read from its local API ({@code GET
 * /probes}): pod, container, probe type, the last probe's result and message, how many probes ran,
 * and whether the worker holds after a liveness/startup failure. {@code -o json} prints the JSON.
 */
final class ProbesCommand {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Longer messages are cut in the table (the JSON has them whole). */
  static final int MESSAGE_WIDTH = 60;

  private final PrintStream out;

  ProbesCommand(PrintStream out) {
    this.out = out;
  }

  int run(String server, String output) {
    String body = new io.berth.agent.cli.LocalApi(server).get("/probes");
    if (output.equals("json")) {
      out.println(body);
      return 0;
    }
    if (!output.equals("wide")) {
      throw new UsageException("option -o/--output must be wide or json, got '" + output + "'");
    }
    JsonNode items;
    try {
      items = JSON.readTree(body).path("items");
    } catch (IOException e) {
      throw new UsageException(
          "berth at "
              + server
              + " answered /probes with something that is not JSON: "
              + e.getMessage());
    }
    out.print(table(items));
    return 0;
  }

  static String table(JsonNode items) {
    List<String[]> rows = new ArrayList<>();
    rows.add(
        new String[] {
          "NAMESPACE", "POD", "CONTAINER", "PROBE", "RESULT", "PROBES", "HOLD", "MESSAGE"
        });
    for (JsonNode i : items) {
      rows.add(
          new String[] {
            i.path("namespace").asText(),
            i.path("pod").asText(),
            i.path("container").asText(),
            i.path("probeType").asText(),
            i.path("result").isTextual() ? i.path("result").asText() : "<none>",
            i.path("probes").asText(),
            i.path("onHold").asBoolean() ? "yes" : "no",
            oneLine(i.path("message").asText(""))
          });
    }
    return TextTable.render(rows);
  }

  private static String oneLine(String message) {
    String m = message.replaceAll("\\s+", " ").strip();
    return m.length() <= MESSAGE_WIDTH ? m : m.substring(0, MESSAGE_WIDTH - 1) + "…";
  }
}
