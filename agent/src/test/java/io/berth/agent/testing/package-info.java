/** Test fixtures shared by the agent's unit tests. */
package io.berth.agent.testing;
