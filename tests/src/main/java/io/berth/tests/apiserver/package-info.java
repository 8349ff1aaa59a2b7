/**
 * An in-process Kubernetes API server for berth's tests ({@link
 * io.berth.tests.apiserver.TestApiServer}): a generic JSON object store with an etcd-like
 * resourceVersion, the API's create/update/patch/delete/list/watch semantics, discovery enough for
 * kubectl v1.32, server-side Tables, and fault injection. What it implements and where it deviates
 * from the real API server is in tests/docs/test-apiserver.md.
 *
 * <p>Thread safety: the {@link io.berth.tests.apiserver.ObjectStore} serializes all changes; Netty
 * event loops serve the connections.
 */
package io.berth.tests.apiserver;
