/**
 * Soak and fault tests (JUnit tag {@code soak}): pod churn with probes, emptyDir volumes and a
 * Service against berth as a real process in a node network namespace with its own containerd,
 * counting what the host and berth hold before and after; faults (berth SIGKILLed, containerd
 * restarted, the pod log disk full) injected during the churn. Short by default (CI), full with
 * {@code -Dberth.soak=full}.
 */
package io.berth.tests.soak;
