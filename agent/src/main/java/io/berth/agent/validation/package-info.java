/**
 * Pod validation as the API server does it on create ({@code pkg/apis/core/validation}), with the
 * API server's field paths and messages, plus the core/v1 scheme defaults the API applies first.
 * {@link io.berth.agent.validation.PodValidator#validate} is the entry point; it returns {@link
 * io.berth.agent.validation.FieldError}s whose {@code toString()} is the API's message, e.g. {@code
 * spec.containers[1].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535,
 * inclusive}.
 */
package io.berth.agent.validation;
