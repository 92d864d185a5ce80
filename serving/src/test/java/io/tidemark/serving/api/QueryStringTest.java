package io.tidemark.serving.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class QueryStringTest {
  @Test
  void decodesEscapesPlusAsSpaceAndKeepsRepeatsInOrder() {
    Map<String, List<String>> q = QueryString.parse("page_url=%2Fpricing%3Fplan%3Da%27b&user_id=o+brien&x=1&x=2&empty=&flag&&");
    assertThat(q).containsExactly(
        Map.entry("page_url", List.of("/pricing?plan=a'b")),
        Map.entry("user_id", List.of("o brien")),
        Map.entry("x", List.of("1", "2")),
        Map.entry("empty", List.of("")),
        Map.entry("flag", List.of("")));
    assertThat(QueryString.parse("u=%C3%A9t%C3%A9")).containsExactly(Map.entry("u", List.of("été")));
    assertThat(QueryString.parse(null)).isEmpty();
    assertThat(QueryString.parse("")).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      minutes=%zz    | Parameter 'minutes' has a malformed percent-encoding at character 0 ('%zz'): '%' must be followed by two hex digits; write a literal % as %25
      user_id=abc%   | Parameter 'user_id' has a malformed percent-encoding at character 3 ('%'): '%' must be followed by two hex digits; write a literal % as %25
      user_id=ab%4   | Parameter 'user_id' has a malformed percent-encoding at character 2 ('%4'): '%' must be followed by two hex digits; write a literal % as %25
      li%zzmit=5     | A parameter name ('li%zzmit') has a malformed percent-encoding at character 2 ('%zz'): '%' must be followed by two hex digits; write a literal % as %25
      user_id=%C3%28 | Parameter 'user_id' is not UTF-8 once percent-decoded
      user_id=%FF    | Parameter 'user_id' is not UTF-8 once percent-decoded
      """)
  void rejectsMalformedEscapesAndBytesThatAreNotUtf8(String query, String message) {
    assertThatThrownBy(() -> QueryString.parse(query)).isInstanceOf(BadRequestException.class).hasMessage(message);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', textBlock = """
      localhost:8088     | localhost
      LocalHost          | localhost
      127.0.0.1:80       | 127.0.0.1
      [::1]:8088         | [::1]
      [::1]              | [::1]
      example.com.:8088  | example.com
      """)
  void hostOfStripsThePortAndLowerCases(String header, String host) {
    assertThat(EdgeGuard.hostOf(header)).isEqualTo(host);
  }
}
