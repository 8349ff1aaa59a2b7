package io.berth.agent.kubeapi;

/**
 * What an informer tells its handler: an object appeared, changed (or was resynced: then {@code
 * old} and {@code current} are the same object) or went away ({@code last} is the last state the
 * informer knew; after a re-list it may be older than the final state on the server).
 */
public sealed interface InformerEvent<T> {
  record Added<T>(T object) implements InformerEvent<T> {}

  record Updated<T>(T old, T current) implements InformerEvent<T> {}

  record Deleted<T>(T last) implements InformerEvent<T> {}
}
