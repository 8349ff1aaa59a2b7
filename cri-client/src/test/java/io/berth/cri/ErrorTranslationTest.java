package io.berth.cri;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.grpc.Status;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every gRPC code a runtime answers with becomes a typed exception naming operation and id. */
class ErrorTranslationTest extends FakeCriTestBase {

  static Stream<Arguments> codes() {
    return Stream.of(
        Arguments.of(Status.Code.NOT_FOUND, CriNotFoundException.class, "not found"),
        Arguments.of(Status.Code.ALREADY_EXISTS, CriAlreadyExistsException.class, "already exists"),
        Arguments.of(Status.Code.UNAVAILABLE, CriUnavailableException.class, "unavailable"),
        Arguments.of(
            Status.Code.DEADLINE_EXCEEDED, CriDeadlineExceededException.class, "deadline exceeded"),
        Arguments.of(Status.Code.UNIMPLEMENTED, CriUnimplementedException.class, "unimplemented"),
        Arguments.of(Status.Code.INTERNAL, CriCallException.class, "internal"),
        Arguments.of(Status.Code.INVALID_ARGUMENT, CriCallException.class, "invalid_argument"),
        Arguments.of(Status.Code.UNKNOWN, CriCallException.class, "unknown"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("codes")
  void stopContainerFailureIsTypedAndNamesTheContainer(
      Status.Code code, Class<? extends CriException> type, String word) {
    String sb = runtime.runPodSandbox(sandboxConfig("web"));
    String id = runtime.createContainer(sb, containerConfig("app"), null);
    server
        .runtime()
        .calls()
        .failNext("StopContainer", Status.fromCode(code).withDescription("boom"));

    CriException e =
        catchThrowableOfType(type, () -> runtime.stopContainer(id, Duration.ofSeconds(1)));

    assertThat(e.operation()).isEqualTo("StopContainer");
    assertThat(e.subject()).isEqualTo(id);
    assertThat(e.getMessage()).startsWith("StopContainer " + id + ": " + word + ": ");
    assertThat(e.getMessage()).contains("boom");
    if (e instanceof CriCallException call) {
      assertThat(call.grpcCode()).isEqualTo(code.name());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("codes")
  void imageFailureNamesTheImage(
      Status.Code code, Class<? extends CriException> type, String word) {
    server.images().calls().failNext("RemoveImage", Status.fromCode(code).withDescription("nope"));

    CriException e =
        catchThrowableOfType(type, () -> images.removeImage(ImageSpec.of("busybox:1.36")));

    assertThat(e.getMessage()).startsWith("RemoveImage busybox:1.36: " + word + ": ");
  }

  @org.junit.jupiter.api.Test
  void statusWithoutDescriptionStillSaysSomething() {
    server.runtime().calls().failNext("Status", Status.INTERNAL);

    CriException e = catchThrowableOfType(CriCallException.class, () -> runtime.status());

    assertThat(e.getMessage()).isEqualTo("Status: internal: INTERNAL");
  }
}
