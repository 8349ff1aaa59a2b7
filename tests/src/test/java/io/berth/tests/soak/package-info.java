/**
 * Soak and fault tests (JUnit tag {@code soak}): pod churn with probes, emptyDir volumes and a
 * Service against berth as a real process in a node network namespace with its own containerd,
 * counting what the host and berth hold before and after ({@link io.berth.tests.soak.Census});
 * faults injected during the churn (berth SIGKILLed, containerd restarted, the pod log disk full,
 * the API server cut off). Short by default (CI), full with {@code -Dberth.soak=full}. Each
 * scenario prints one {@code SOAK} summary line.
 */
package io.berth.tests.soak;
