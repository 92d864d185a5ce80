package io.tidemark.core.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PageViewParserTest {
  private static final long ARRIVAL = 1_764_000_000_000L;

  private static ParseResult parse(String json) {
    return PageViewParser.parse(json.getBytes(StandardCharsets.UTF_8), ARRIVAL);
  }

  @Test
  void acceptsSeedFormat() {
    ParseResult r = parse("{\"event_id\":\"e1\",\"user_id\":\"u1\",\"page_url\":\"/home\",\"timestamp\":1763999999000}");
    assertThat(r).isEqualTo(new ParseResult.Valid(new PageViewEvent("e1", "u1", "/home", 1_763_999_999_000L)));
  }

  @Test
  void acceptsFieldsInAnyOrderAndIgnoresUnknownFields() {
    ParseResult r = parse("{\"timestamp\":5,\"extra\":{\"a\":[1,2]},\"page_url\":\"/p\",\"user_id\":\"u\",\"event_id\":\"e\",\"ref\":null}");
    assertThat(r).isEqualTo(new ParseResult.Valid(new PageViewEvent("e", "u", "/p", 5L)));
  }

  @Test
  void handsUnknownFieldsToTheReaderInOrderWithTheSameVerdict() {
    String json = "{\"timestamp\":5,\"extra\":{\"a\":[1,2]},\"page_url\":\"/p\",\"user_id\":\"u\",\"event_id\":\"e\",\"ref\":null,\"n\":7}";
    java.util.List<String> seen = new java.util.ArrayList<>();
    ParseResult r = PageViewParser.parse(json.getBytes(StandardCharsets.UTF_8), ARRIVAL, (field, p) -> {
      if (p.currentToken().isScalarValue()) {
        seen.add(field + "=" + p.getText());
      } else {
        seen.add(field + " skipped");
      }
    });
    assertThat(r).isEqualTo(parse(json));
    assertThat(seen).containsExactly("extra skipped", "ref=null", "n=7");
  }

  @Test
  void readerThatConsumesAStructuredValueLeavesTheRestOfTheRecordIntact() {
    String json = "{\"extra\":{\"a\":[1,{\"b\":2}]},\"event_id\":\"e\",\"user_id\":\"u\",\"page_url\":\"/p\",\"timestamp\":5}";
    ParseResult r = PageViewParser.parse(json.getBytes(StandardCharsets.UTF_8), ARRIVAL, (field, p) -> p.skipChildren());
    assertThat(r).isEqualTo(new ParseResult.Valid(new PageViewEvent("e", "u", "/p", 5L)));
  }

  @Test
  void acceptsTimestampExactlyAtFutureBound() {
    long ts = ARRIVAL + EventContract.MAX_FUTURE_SKEW.toMillis();
    assertThat(parse(event("e", "u", "/p", ts)).isValid()).isTrue();
  }

  @Test
  void skipsFutureRuleWhenArrivalUnknown() {
    byte[] b = event("e", "u", "/p", Long.MAX_VALUE).getBytes(StandardCharsets.UTF_8);
    assertThat(PageViewParser.parse(b, -1).isValid()).isTrue();
  }

  @Test
  void roundTripsThroughJsonWriter() {
    PageViewEvent e = new PageViewEvent("e-\"quoted\"", "üser", "/päge?q=1&x=\\", 42L);
    assertThat(PageViewParser.parse(PageViewJson.toBytes(e), 0)).isEqualTo(new ParseResult.Valid(e));
  }

  static Stream<Arguments> invalidRecords() {
    String longId = "x".repeat(EventContract.MAX_EVENT_ID_LENGTH + 1);
    String longUser = "u".repeat(EventContract.MAX_USER_ID_LENGTH + 1);
    String longUrl = "/" + "p".repeat(EventContract.MAX_PAGE_URL_LENGTH);
    long tooFar = ARRIVAL + EventContract.MAX_FUTURE_SKEW.toMillis() + 1;
    return Stream.of(
        Arguments.of("not json at all", InvalidReason.NOT_JSON, "malformed JSON"),
        Arguments.of("", InvalidReason.NOT_JSON, "record value is empty"),
        Arguments.of("[1,2,3]", InvalidReason.NOT_JSON, "record is not a JSON object"),
        Arguments.of("\"just a string\"", InvalidReason.NOT_JSON, "record is not a JSON object"),
        Arguments.of("{\"event_id\":\"e\"", InvalidReason.NOT_JSON, "malformed JSON"),
        Arguments.of(event("e", "u", "/p", 1) + "{}", InvalidReason.NOT_JSON, "trailing content"),
        Arguments.of("{\"event_id\":\"e\",\"event_id\":\"f\",\"user_id\":\"u\",\"page_url\":\"/p\",\"timestamp\":1}", InvalidReason.NOT_JSON, "Duplicate field"),
        Arguments.of("{\"user_id\":\"u\",\"page_url\":\"/p\",\"timestamp\":1}", InvalidReason.MISSING_FIELD, "event_id is missing"),
        Arguments.of("{\"event_id\":\"e\",\"page_url\":\"/p\",\"timestamp\":1}", InvalidReason.MISSING_FIELD, "user_id is missing"),
        Arguments.of("{\"event_id\":\"e\",\"user_id\":\"u\",\"timestamp\":1}", InvalidReason.MISSING_FIELD, "page_url is missing"),
        Arguments.of("{\"event_id\":\"e\",\"user_id\":\"u\",\"page_url\":\"/p\"}", InvalidReason.MISSING_FIELD, "timestamp is missing"),
        Arguments.of("{\"event_id\":null,\"user_id\":\"u\",\"page_url\":\"/p\",\"timestamp\":1}", InvalidReason.MISSING_FIELD, "event_id is missing"),
        Arguments.of("{\"event_id\":\"e\",\"user_id\":\"u\",\"page_url\":\"/p\",\"timestamp\":null}", InvalidReason.MISSING_FIELD, "timestamp is missing"),
        Arguments.of("{\"event_id\":7,\"user_id\":\"u\",\"page_url\":\"/p\",\"timestamp\":1}", InvalidReason.WRONG_TYPE, "event_id must be a string, got an integer"),
        Arguments.of("{\"event_id\":\"e\",\"user_id\":[\"u\"],\"page_url\":\"/p\",\"timestamp\":1}", InvalidReason.WRONG_TYPE, "user_id must be a string, got an array"),
        Arguments.of("{\"event_id\":\"e\",\"user_id\":\"u\",\"page_url\":{},\"timestamp\":1}", InvalidReason.WRONG_TYPE, "page_url must be a string, got an object"),
        Arguments.of("{\"event_id\":\"e\",\"user_id\":\"u\",\"page_url\":\"/p\",\"timestamp\":\"1763999999000\"}", InvalidReason.WRONG_TYPE, "timestamp must be an integer (epoch ms), got a string"),
        Arguments.of("{\"event_id\":\"e\",\"user_id\":\"u\",\"page_url\":\"/p\",\"timestamp\":1.5}", InvalidReason.WRONG_TYPE, "timestamp must be an integer (epoch ms), got a fraction"),
        Arguments.of("{\"event_id\":\"e\",\"user_id\":\"u\",\"page_url\":\"/p\",\"timestamp\":true}", InvalidReason.WRONG_TYPE, "got a boolean"),
        Arguments.of("{\"event_id\":\"e\",\"user_id\":\"u\",\"page_url\":\"/p\",\"timestamp\":99999999999999999999}", InvalidReason.WRONG_TYPE, "does not fit in 64 bits"),
        Arguments.of(event("", "u", "/p", 1), InvalidReason.EMPTY_FIELD, "event_id is empty"),
        Arguments.of(event("e", "   ", "/p", 1), InvalidReason.EMPTY_FIELD, "user_id is empty"),
        Arguments.of(event("e", "u", "", 1), InvalidReason.EMPTY_FIELD, "page_url is empty"),
        Arguments.of(event(longId, "u", "/p", 1), InvalidReason.FIELD_TOO_LONG, "event_id has 129 characters, max 128"),
        Arguments.of(event("e", longUser, "/p", 1), InvalidReason.FIELD_TOO_LONG, "user_id has 257 characters, max 256"),
        Arguments.of(event("e", "u", longUrl, 1), InvalidReason.FIELD_TOO_LONG, "page_url has 2049 characters, max 2048"),
        Arguments.of(event("e", "u", "/p", 0), InvalidReason.TIMESTAMP_NOT_POSITIVE, "timestamp is 0, must be > 0"),
        Arguments.of(event("e", "u", "/p", -5), InvalidReason.TIMESTAMP_NOT_POSITIVE, "timestamp is -5, must be > 0"),
        Arguments.of(event("e", "u", "/p", tooFar), InvalidReason.TIMESTAMP_IN_FUTURE, "3600001 ms after the record arrived"),
        Arguments.of("{\"pad\":\"" + "x".repeat(EventContract.MAX_RECORD_BYTES) + "\"}", InvalidReason.RECORD_TOO_LARGE, "max 16384"));
  }

  @ParameterizedTest(name = "[{index}] {1}: {2}")
  @MethodSource("invalidRecords")
  void rejectsWithReason(String record, InvalidReason reason, String detailFragment) {
    ParseResult r = parse(record);
    assertThat(r).isInstanceOf(ParseResult.Invalid.class);
    ParseResult.Invalid invalid = (ParseResult.Invalid) r;
    assertThat(invalid.reason()).isEqualTo(reason);
    assertThat(invalid.detail()).contains(detailFragment);
    assertThat(invalid.describe()).startsWith(reason.code() + ": ");
  }

  @Test
  void rejectsNonUtf8Bytes() {
    byte[] bytes = {(byte) 0xff, (byte) 0xfe, 0x00, 0x7b};
    assertThat(PageViewParser.parse(bytes, ARRIVAL)).isInstanceOfSatisfying(
        ParseResult.Invalid.class, i -> assertThat(i.reason()).isEqualTo(InvalidReason.NOT_JSON));
  }

  @Test
  void rejectsNullValue() {
    assertThat(PageViewParser.parse(null, ARRIVAL)).isInstanceOfSatisfying(
        ParseResult.Invalid.class, i -> assertThat(i.reason()).isEqualTo(InvalidReason.NOT_JSON));
  }

  @Test
  void reportsTheFirstBrokenFieldInContractOrderWhateverTheJsonOrder() {
    ParseResult r = parse("{\"page_url\":\"\",\"user_id\":\"\",\"event_id\":\"\",\"timestamp\":-1}");
    assertThat(((ParseResult.Invalid) r).detail()).isEqualTo("event_id is empty");
  }

  static String event(String id, String user, String url, long ts) {
    return "{\"event_id\":\"" + id + "\",\"user_id\":\"" + user + "\",\"page_url\":\"" + url
        + "\",\"timestamp\":" + ts + "}";
  }
}
