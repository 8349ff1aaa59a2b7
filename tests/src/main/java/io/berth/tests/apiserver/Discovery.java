package io.berth.tests.apiserver;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;

/**
 * The discovery documents kubectl v1.32 reads: {@code /version}, legacy discovery ({@code /api},
 * {@code /apis}, and an APIResourceList per group version; the aggregated v2 format is not offered,
 * so clients fall back as they do against older servers) and the OpenAPI v3 index plus
 * per-group-version documents that carry only the PATCH operations with their {@code
 * x-kubernetes-group-version-kind} and {@code fieldValidation} parameter, which is what kubectl
 * checks before it leaves validation to the server.
 */
final class Discovery {
  static final String GIT_VERSION = "v1.32.0-berth-test";

  private Discovery() {}

  static ObjectNode version() {
    ObjectNode v = Json.object();
    v.put("major", "1");
    v.put("minor", "32");
    v.put("gitVersion", GIT_VERSION);
    v.put("gitCommit", "0000000000000000000000000000000000000000");
    v.put("gitTreeState", "clean");
    v.put("buildDate", "2026-01-01T00:00:00Z");
    v.put("goVersion", "go1.23.0");
    v.put("compiler", "gc");
    v.put("platform", "linux/amd64");
    return v;
  }

  static ObjectNode apiVersions(String serverAddress) {
    ObjectNode v = Json.object();
    v.put("kind", "APIVersions");
    v.putArray("versions").add("v1");
    ObjectNode cidr = v.putArray("serverAddressByClientCIDRs").addObject();
    cidr.put("clientCIDR", "0.0.0.0/0");
    cidr.put("serverAddress", serverAddress);
    return v;
  }

  static ObjectNode apiGroupList() {
    ObjectNode list = Json.object();
    list.put("kind", "APIGroupList");
    list.put("apiVersion", "v1");
    ArrayNode groups = list.putArray("groups");
    for (String gv : ApiResources.groupVersions()) {
      if (!gv.contains("/")) {
        continue;
      }
      ObjectNode group = groups.addObject();
      group.put("name", gv.substring(0, gv.indexOf('/')));
      ObjectNode version = Json.object();
      version.put("groupVersion", gv);
      version.put("version", gv.substring(gv.indexOf('/') + 1));
      group.putArray("versions").add(version);
      group.set("preferredVersion", version);
    }
    return list;
  }

  /** The APIResourceList of {@code groupVersion} ("v1" or "group/version"), if served. */
  static Optional<ObjectNode> resourceList(String groupVersion) {
    if (!ApiResources.groupVersions().contains(groupVersion)) {
      return Optional.empty();
    }
    ObjectNode list = Json.object();
    list.put("kind", "APIResourceList");
    list.put("apiVersion", "v1");
    list.put("groupVersion", groupVersion);
    ArrayNode resources = list.putArray("resources");
    for (ApiResource r : ApiResources.ALL) {
      if (!r.apiVersion().equals(groupVersion)) {
        continue;
      }
      ObjectNode res = resources.addObject();
      res.put("name", r.resource());
      res.put("singularName", r.singular());
      res.put("namespaced", r.namespaced());
      res.put("kind", r.kind());
      ArrayNode verbs = res.putArray("verbs");
      ApiResource.VERBS.forEach(verbs::add);
      if (!r.shortNames().isEmpty()) {
        ArrayNode shorts = res.putArray("shortNames");
        r.shortNames().forEach(shorts::add);
      }
      if (r.equals(ApiResources.PODS) || r.equals(ApiResources.SERVICES)) {
        res.putArray("categories").add("all");
      }
      if (r.statusSubresource()) {
        ObjectNode status = resources.addObject();
        status.put("name", r.resource() + "/status");
        status.put("singularName", "");
        status.put("namespaced", r.namespaced());
        status.put("kind", r.kind());
        status.putArray("verbs").add("get").add("patch").add("update");
      }
      if (r.equals(ApiResources.PODS)) {
        ObjectNode eph = resources.addObject();
        eph.put("name", "pods/" + ApiPath.EPHEMERAL_CONTAINERS);
        eph.put("singularName", "");
        eph.put("namespaced", true);
        eph.put("kind", "Pod");
        eph.putArray("verbs").add("get").add("patch").add("update");
      }
    }
    return Optional.of(list);
  }

  static ObjectNode openApiV3Index() {
    ObjectNode index = Json.object();
    ObjectNode paths = index.putObject("paths");
    for (String gv : ApiResources.groupVersions()) {
      String path = gv.contains("/") ? "apis/" + gv : "api/" + gv;
      paths.putObject(path).put("serverRelativeURL", "/openapi/v3/" + path + "?hash=berth-test-1");
    }
    return index;
  }

  /** The OpenAPI v3 document of {@code groupVersion}: PATCH operations only, no schemas. */
  static Optional<ObjectNode> openApiV3(String groupVersion) {
    if (!ApiResources.groupVersions().contains(groupVersion)) {
      return Optional.empty();
    }
    ObjectNode doc = Json.object();
    doc.put("openapi", "3.0.0");
    ObjectNode info = doc.putObject("info");
    info.put("title", "Kubernetes (berth test API server)");
    info.put("version", GIT_VERSION);
    ObjectNode paths = doc.putObject("paths");
    for (ApiResource r : ApiResources.ALL) {
      if (!r.apiVersion().equals(groupVersion)) {
        continue;
      }
      String path =
          r.groupVersionPath()
              + (r.namespaced() ? "/namespaces/{namespace}/" : "/")
              + r.resource()
              + "/{name}";
      ObjectNode patch = paths.putObject(path).putObject("patch");
      patch.put("operationId", "patch" + r.kind());
      ObjectNode gvk = patch.putObject("x-kubernetes-group-version-kind");
      gvk.put("group", r.group());
      gvk.put("version", r.version());
      gvk.put("kind", r.kind());
      ArrayNode params = patch.putArray("parameters");
      for (String p : new String[] {"dryRun", "fieldManager", "fieldValidation", "force"}) {
        ObjectNode param = params.addObject();
        param.put("name", p);
        param.put("in", "query");
        param.putObject("schema").put("type", "string");
      }
      patch.putObject("responses").putObject("200").put("description", "OK");
    }
    doc.putObject("components").putObject("schemas");
    return Optional.of(doc);
  }
}
