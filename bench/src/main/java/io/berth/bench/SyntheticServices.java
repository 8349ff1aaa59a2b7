package io.berth.bench;

/**
 * Services and EndpointSlices for berth's {@code --service-dir}: {@code n} ClusterIP Services
 * without selector (10.96.0.0/16 ClusterIPs), each with one static EndpointSlice of {@code
 * endpoints} ready addresses (from 10.200.0.0, never routed: the rules are what is measured), as
 * one {@code kind: List} JSON document.
 */
final class SyntheticServices {
  private SyntheticServices() {}

  /**
   * The same, split into documents of at most {@code perFile} Services (berth's YAML/JSON parser
   * refuses a document over 3 MiB code points, as SnakeYAML's default limit).
   */
  static java.util.List<String> files(int n, int endpoints, int perFile) {
    java.util.List<String> files = new java.util.ArrayList<>();
    for (int first = 0; first < n; first += perFile) {
      files.add(json(first, Math.min(n, first + perFile), endpoints));
    }
    return files;
  }

  /** Services {@code from} (inclusive) to {@code to} (exclusive) as one List document. */
  static String json(int from, int to, int endpoints) {
    int n = to;
    if (n > 250 * 250 || (long) n * endpoints > 250L * 250 * 50) {
      throw new IllegalArgumentException("too many Services for the address ranges: " + n);
    }
    StringBuilder b = new StringBuilder((to - from) * (300 + endpoints * 60));
    b.append("{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":[\n");
    for (int i = from; i < to; i++) {
      String name = "svc-" + i;
      b.append("{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"")
          .append(name)
          .append(
              "\",\"namespace\":\"default\"},\"spec\":{\"type\":\"ClusterIP\",\"clusterIP\":\"10.96.")
          .append(i / 250)
          .append('.')
          .append(i % 250 + 1)
          .append(
              "\",\"ports\":[{\"name\":\"http\",\"port\":80,\"targetPort\":8080,"
                  + "\"protocol\":\"TCP\"}]}},\n");
      b.append(
              "{\"apiVersion\":\"discovery.k8s.io/v1\",\"kind\":\"EndpointSlice\","
                  + "\"metadata\":{\"name\":\"")
          .append(name)
          .append(
              "-static\",\"namespace\":\"default\",\"labels\":{\"kubernetes.io/service-name\":\"")
          .append(name)
          .append(
              "\"}},\"addressType\":\"IPv4\",\"ports\":[{\"name\":\"http\",\"port\":8080,"
                  + "\"protocol\":\"TCP\"}],\"endpoints\":[");
      for (int e = 0; e < endpoints; e++) {
        long a = (long) i * endpoints + e;
        b.append(e == 0 ? "" : ",")
            .append("{\"addresses\":[\"10.")
            .append(200 + a / 250 / 250)
            .append('.')
            .append(a / 250 % 250)
            .append('.')
            .append(a % 250 + 1)
            .append("\"],\"conditions\":{\"ready\":true}}");
      }
      b.append("]}").append(i == to - 1 ? "\n" : ",\n");
    }
    return b.append("]}\n").toString();
  }
}
