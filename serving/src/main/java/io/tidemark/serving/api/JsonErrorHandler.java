package io.tidemark.serving.api;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.handler.ErrorHandler;

/**
 * Errors that Jetty answers before a request reaches the API (a malformed request line, a URI
 * longer than the server's buffer: 414, headers too large: 431, an ambiguous path encoding: 400)
 * as the API's JSON error object instead of Jetty's HTML page, with the same security headers as
 * every other answer. Registered on the server and on the servlet context.
 */
public final class JsonErrorHandler extends ErrorHandler {
  @Override
  public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
    fields.put(HttpHeader.CONTENT_TYPE, "application/json");
    EdgeGuard.SECURITY_HEADERS.forEach(fields::put);
    return ByteBuffer.wrap(body(status, reason));
  }

  @Override
  protected void generateAcceptableResponse(
      Request baseRequest, HttpServletRequest request, HttpServletResponse response, int code, String message)
      throws IOException {
    baseRequest.setHandled(true);
    response.setContentType("application/json");
    EdgeGuard.SECURITY_HEADERS.forEach(response::setHeader);
    response.getOutputStream().write(body(code, message));
  }

  static byte[] body(int status, String reason) {
    Map<String, Object> out = new LinkedHashMap<>();
    switch (status) {
      case 414 -> {
        out.put("error", "uri_too_long");
        out.put("message", "The request URI is longer than the server accepts; shorten the query");
      }
      case 431 -> {
        out.put("error", "headers_too_large");
        out.put("message", "The request headers are larger than the server accepts");
      }
      case 400 -> {
        out.put("error", "bad_request");
        out.put("message", "Malformed HTTP request" + (reason == null || reason.isBlank() || reason.equalsIgnoreCase("Bad Request") ? "" : ": " + clean(reason)));
      }
      default -> {
        out.put("error", "http_" + status);
        out.put("message", "HTTP " + status + (reason == null || reason.isBlank() ? "" : ": " + clean(reason)));
      }
    }
    return ApiRoutes.toJson(out);
  }

  /** Jetty's reason phrase, cut to one short line (it never holds more than a token or two). */
  private static String clean(String reason) {
    String line = reason.replaceAll("[\\r\\n\\t]+", " ").strip();
    return line.length() <= 120 ? line : line.substring(0, 117) + "...";
  }
}
