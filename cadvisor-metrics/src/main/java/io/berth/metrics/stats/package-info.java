/**
 * The stats model: immutable records of what one cgroup (or one network namespace) showed at one
 * instant. Values that a kernel or a cgroup version does not provide are empty {@link
 * java.util.OptionalLong}s, never zeros that look real; the renderers skip them.
 */
package io.berth.metrics.stats;
