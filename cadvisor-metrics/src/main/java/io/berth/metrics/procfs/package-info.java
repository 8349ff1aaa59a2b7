/**
 * Readers of {@code /proc} files that are not cgroup files: per-namespace network counters from
 * {@code /proc/<pid>/net/dev}. The proc root is injected so tests read fixtures.
 */
package io.berth.metrics.procfs;
