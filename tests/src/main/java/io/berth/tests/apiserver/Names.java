package io.berth.tests.apiserver;

import java.security.SecureRandom;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.regex.Pattern;

/** Object names and timestamps as the API server makes and checks them. */
final class Names {
  /** The alphabet of generateName suffixes (no vowels, no confusable digits). */
  private static final String ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Pattern DNS1123_SUBDOMAIN =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  private static final Pattern DNS1123_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");

  private Names() {}

  static String randomSuffix() {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < 5; i++) {
      b.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
    }
    return b.toString();
  }

  /** RFC 3339 with seconds, as metav1.Time marshals. */
  static String timestamp(Instant instant) {
    return DateTimeFormatter.ISO_INSTANT.format(instant.truncatedTo(ChronoUnit.SECONDS));
  }

  /** 422 Invalid unless the name is a DNS-1123 subdomain (a label for namespaces and services). */
  static void validate(ApiResource r, String name) {
    boolean label = r.equals(ApiResources.NAMESPACES) || r.equals(ApiResources.SERVICES);
    Pattern p = label ? DNS1123_LABEL : DNS1123_SUBDOMAIN;
    if (name.length() > (label ? 63 : 253) || !p.matcher(name).matches()) {
      throw ApiError.invalid(
          r,
          name,
          "metadata.name: Invalid value: \""
              + name
              + "\": a lowercase RFC 1123 "
              + (label ? "label" : "subdomain")
              + " must consist of lower case alphanumeric characters, '-' or '.', and must start"
              + " and end with an alphanumeric character");
    }
  }
}
