package io.berth.tests.apiserver;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A failed request, rendered as a {@code v1 Status} object exactly as the real API server does
 * (reason, code, message, details with name/group/kind).
 */
public final class ApiError extends RuntimeException {
  private final int code;
  private final String reason;
  private final String name;
  private final ApiResource resource;

  ApiError(int code, String reason, String message, ApiResource resource, String name) {
    super(message);
    this.code = code;
    this.reason = reason;
    this.resource = resource;
    this.name = name;
  }

  public int code() {
    return code;
  }

  public String reason() {
    return reason;
  }

  static ApiError notFound(ApiResource r, String name) {
    return new ApiError(404, "NotFound", qualified(r) + " \"" + name + "\" not found", r, name);
  }

  static ApiError namespaceNotFound(String namespace) {
    return new ApiError(
        404,
        "NotFound",
        "namespaces \"" + namespace + "\" not found",
        ApiResources.NAMESPACES,
        namespace);
  }

  static ApiError alreadyExists(ApiResource r, String name) {
    return new ApiError(
        409, "AlreadyExists", qualified(r) + " \"" + name + "\" already exists", r, name);
  }

  static ApiError conflict(ApiResource r, String name) {
    return new ApiError(
        409,
        "Conflict",
        "Operation cannot be fulfilled on "
            + qualified(r)
            + " \""
            + name
            + "\": the object has been modified; please apply your changes to the latest version"
            + " and try again",
        r,
        name);
  }

  static ApiError invalid(ApiResource r, String name, String detail) {
    return new ApiError(
        422, "Invalid", r.kind() + " \"" + name + "\" is invalid: " + detail, r, name);
  }

  static ApiError badRequest(String message) {
    return new ApiError(400, "BadRequest", message, null, null);
  }

  static ApiError gone(String message) {
    return new ApiError(410, "Expired", message, null, null);
  }

  static ApiError methodNotAllowed(String message) {
    return new ApiError(405, "MethodNotAllowed", message, null, null);
  }

  static ApiError unsupportedMediaType(String contentType) {
    return new ApiError(
        415,
        "UnsupportedMediaType",
        "the body of the request was in an unknown format - accepted"
            + " media types include: application/json-patch+json, application/merge-patch+json,"
            + " application/strategic-merge-patch+json (got "
            + contentType
            + ")",
        null,
        null);
  }

  static ApiError notFoundPath(String path) {
    return new ApiError(
        404, "NotFound", "the server could not find the requested resource", null, null);
  }

  /** An injected fault: 409 Conflict, 410 Expired, 429 TooManyRequests, 503, else InternalError. */
  static ApiError injected(int code) {
    return switch (code) {
      case 410 -> gone("too old resource version (injected fault)");
      case 409 ->
          new ApiError(
              409,
              "Conflict",
              "Operation cannot be fulfilled: the object has"
                  + " been modified; please apply your changes to the latest version and try again"
                  + " (injected fault)",
              null,
              null);
      case 429 ->
          new ApiError(429, "TooManyRequests", "too many requests (injected fault)", null, null);
      case 503 ->
          new ApiError(503, "ServiceUnavailable", "unavailable (injected fault)", null, null);
      default ->
          new ApiError(
              code, "InternalError", "Internal error occurred: injected fault", null, null);
    };
  }

  private static String qualified(ApiResource r) {
    return r.group().isEmpty() ? r.resource() : r.resource() + "." + r.group();
  }

  /** The {@code Status} object for this error. */
  public ObjectNode toStatus() {
    ObjectNode status = JsonNodeFactory.instance.objectNode();
    status.put("kind", "Status");
    status.put("apiVersion", "v1");
    status.putObject("metadata");
    status.put("status", "Failure");
    status.put("message", getMessage());
    status.put("reason", reason);
    if (resource != null || name != null) {
      ObjectNode details = status.putObject("details");
      if (name != null) {
        details.put("name", name);
      }
      if (resource != null) {
        if (!resource.group().isEmpty()) {
          details.put("group", resource.group());
        }
        details.put("kind", resource.resource());
      }
    }
    status.put("code", code);
    return status;
  }
}
