package io.berth.tests.apiserver;

/**
 * Where an object lives: its resource, namespace ("" for cluster-scoped) and name. {@link
 * #sortKey()} orders objects as etcd keys do (by namespace, then name) for lists and continue.
 */
record ObjectKey(ApiResource resource, String namespace, String name) {
  String sortKey() {
    return resource.apiVersion() + "/" + resource.resource() + "/" + namespace + "/" + name;
  }

  String prefix() {
    return resource.apiVersion() + "/" + resource.resource() + "/";
  }
}
