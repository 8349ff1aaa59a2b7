/**
 * berth's benchmarks. Each prints berth's figure beside an anchor measured in the same run on the
 * same machine, and the ratio; {@code bench/run} runs them and writes {@code bench/results/}.
 *
 * <p>Benchmarks are programs, never timed unit tests: they start their own runtime and namespaces,
 * alternate berth and anchor so drift hits both, and clean up what they made.
 */
package io.berth.bench;
