/**
 * berth's Kubernetes API client: kubeconfig loading ({@link
 * io.berth.agent.kubeapi.KubeconfigLoader}), a thin JSON client on the JDK HTTP client with the
 * kubelet's QPS/burst limits and typed errors ({@link io.berth.agent.kubeapi.KubeApiClient}, {@link
 * io.berth.agent.kubeapi.ApiException}), and client-go-style informers ({@link
 * io.berth.agent.kubeapi.Informer}) that list, watch, re-watch and re-list without losing or
 * duplicating events. Described in agent/docs/kubeapi.md.
 */
package io.berth.agent.kubeapi;
