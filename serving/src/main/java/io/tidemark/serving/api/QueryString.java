package io.tidemark.serving.api;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Strict decoding of a raw query string ({@code a=1&b=x%20y}). The server's own decoder dropped a
 * parameter whose percent-encoding was malformed ({@code ?minutes=%zz} answered as if no {@code
 * minutes} was given, {@code user_id=abc%} as if no user was asked for), so a typo returned a
 * default answer instead of an error. Here a malformed escape or bytes that are not UTF-8 are a
 * {@link BadRequestException} naming the parameter; {@code +} is a space, as in HTML forms.
 */
final class QueryString {
  private QueryString() {}

  /**
   * Every parameter with its values in order of appearance; an empty or null query is an empty map.
   *
   * @throws BadRequestException on a malformed escape or a name or value that is not UTF-8
   */
  static Map<String, List<String>> parse(String raw) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    if (raw == null || raw.isEmpty()) {
      return out;
    }
    for (String part : raw.split("&", -1)) {
      if (part.isEmpty()) {
        continue;
      }
      int eq = part.indexOf('=');
      String rawName = eq < 0 ? part : part.substring(0, eq);
      String rawValue = eq < 0 ? "" : part.substring(eq + 1);
      String name = decode(rawName, null);
      String value = decode(rawValue, name);
      out.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
    }
    return out;
  }

  private static String decode(String s, String parameter) {
    if (s.indexOf('%') < 0 && s.indexOf('+') < 0) {
      return s;
    }
    String what = parameter == null ? "A parameter name ('" + s + "')" : "Parameter '" + parameter + "'";
    ByteBuffer bytes = ByteBuffer.allocate(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%') {
        int hi = i + 1 < s.length() ? Character.digit(s.charAt(i + 1), 16) : -1;
        int lo = i + 2 < s.length() ? Character.digit(s.charAt(i + 2), 16) : -1;
        if (hi < 0 || lo < 0) {
          throw new BadRequestException(what + " has a malformed percent-encoding at character " + i
              + " ('" + s.substring(i, Math.min(s.length(), i + 3)) + "'): '%' must be followed by two hex digits; write a literal % as %25");
        }
        bytes.put((byte) (hi * 16 + lo));
        i += 2;
      } else if (c == '+') {
        bytes.put((byte) ' ');
      } else if (c < 0x80) {
        bytes.put((byte) c);
      } else {
        // a raw non-ASCII character (not sent by browsers, but by hand-written clients): keep it
        byte[] utf8 = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        ByteBuffer bigger = ByteBuffer.allocate(bytes.capacity() + utf8.length);
        bytes.flip();
        bigger.put(bytes).put(utf8);
        bytes = bigger;
      }
    }
    bytes.flip();
    try {
      CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(bytes);
      return chars.toString();
    } catch (CharacterCodingException e) {
      throw new BadRequestException(what + " is not UTF-8 once percent-decoded");
    }
  }
}
