/**
 * ConfigMaps and Secrets from the API server for the pods on this node, the kubelet's watch-based
 * ConfigMap and Secret managers ({@code pkg/kubelet/util/manager}): {@link
 * io.berth.agent.podobjects.WatchedObjects} watches each object a pod on this node refers to
 * ({@link io.berth.agent.podobjects.PodReferences}) while some pod refers to it, answers reads from
 * that watch's cache and wakes the pods that use an object when it changes. {@link
 * io.berth.agent.podobjects.PodObjects} is the {@code ConfigSource} the pod machinery reads: the
 * API's objects once the control plane attached them, the static object directory otherwise.
 */
package io.berth.agent.podobjects;
