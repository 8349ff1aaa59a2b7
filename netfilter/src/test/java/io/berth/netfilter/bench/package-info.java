/** The sync-time benchmark (a {@code main}, run by {@code netfilter/bench.sh}; not a test). */
package io.berth.netfilter.bench;
