package io.tidemark.serving.api;

import io.javalin.http.Context;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What every request passes before a handler: the {@code Host} allow-list and the security
 * headers of every answer (the dashboard's and the API's alike).
 *
 * <p>The allow-list stops DNS rebinding: a page on {@code evil.example} whose name is re-pointed at
 * 127.0.0.1 would otherwise read the API from the victim's browser as same-origin, since CORS does
 * not apply. Such a request carries {@code Host: evil.example} and gets 403. The headers keep
 * answers from being sniffed as another type ({@code nosniff}) and the dashboard from being framed
 * ({@code frame-ancestors 'none'}); the policy allows only the dashboard's own files, which load
 * no inline script.
 */
public final class EdgeGuard {
  /** Headers set on every answer, also on Jetty's own errors ({@link JsonErrorHandler}). */
  public static final Map<String, String> SECURITY_HEADERS = Map.of(
      "X-Content-Type-Options", "nosniff",
      "Content-Security-Policy",
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self';"
          + " object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
      "X-Frame-Options", "DENY",
      "Referrer-Policy", "no-referrer");

  private final Set<String> allowedHosts;
  private final boolean anyHost;

  /** @param allowedHosts lower-case host names without port, IPv6 in brackets; {@code *} allows all */
  public EdgeGuard(Set<String> allowedHosts) {
    this.allowedHosts = Set.copyOf(allowedHosts);
    this.anyHost = allowedHosts.contains("*");
  }

  /** A Javalin before-handler: sets the headers, then refuses a host not on the list with 403. */
  public void check(Context ctx) {
    SECURITY_HEADERS.forEach(ctx::header);
    if (anyHost) {
      return;
    }
    String header = ctx.header("Host");
    if (header == null || header.isEmpty()) {
      return; // HTTP/1.0 without Host: no browser sends that, so it cannot be a rebinding page
    }
    String host = hostOf(header);
    if (!allowedHosts.contains(host)) {
      throw new ApiStatusException(403, "host_not_allowed",
          "Host '" + printable(header) + "' is not served here; add its name to tidemark.serving.allowed-hosts");
    }
  }

  /** The host part of a Host header, lower case: {@code Example.com:8088} -> {@code example.com}, {@code [::1]:80} -> {@code [::1]}. */
  static String hostOf(String header) {
    String h = header.trim().toLowerCase(Locale.ROOT);
    if (h.startsWith("[")) {
      int end = h.indexOf(']');
      return end < 0 ? h : h.substring(0, end + 1);
    }
    int colon = h.indexOf(':');
    String name = colon < 0 ? h : h.substring(0, colon);
    return name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
  }

  private static String printable(String s) {
    String cut = s.length() <= 100 ? s : s.substring(0, 100) + "...";
    return cut.replaceAll("[^\\x20-\\x7e]", "?");
  }
}
