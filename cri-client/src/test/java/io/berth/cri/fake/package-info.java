/**
 * Working fakes of a CRI runtime for unit tests (OkHttp {@code MockWebServer} style): {@link
 * io.berth.cri.fake.FakeCriServer} serves {@link io.berth.cri.fake.FakeRuntimeService} and {@link
 * io.berth.cri.fake.FakeImageService} over a real Unix-socket gRPC server; {@link
 * io.berth.cri.fake.GarbageSocketServer} is a Unix socket that is not a CRI server.
 */
package io.berth.cri.fake;
