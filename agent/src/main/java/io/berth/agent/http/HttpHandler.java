package io.berth.agent.http;

/** Answers one request. May block: it runs on a virtual thread, not the event loop. */
@FunctionalInterface
public interface HttpHandler {
  HttpReply handle(HttpRequestView request) throws Exception;
}
