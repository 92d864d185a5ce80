package io.tidemark.schema.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidemark.schema.clickhouse.ClickHouseErrors.Kind;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ClickHouseErrorsTest {
  @ParameterizedTest
  @CsvSource({
    "192, ACCESS", "193, ACCESS", "516, ACCESS", "497, ACCESS", "164, ACCESS",
    "252, TRANSIENT", "319, TRANSIENT", "159, TRANSIENT", "241, TRANSIENT",
    "60, PERMANENT", "81, PERMANENT", "62, PERMANENT", "47, PERMANENT", "16, PERMANENT",
    "999, UNKNOWN", "-1, UNKNOWN"
  })
  void eachCodeHasOneKind(int code, Kind kind) {
    assertThat(ClickHouseErrors.kind(code)).isEqualTo(kind);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
    "Code: 60, e.displayText() = DB::Exception: Table t.x doesn't exist., e.what() = DB::Exception | 60",
    "Code: 516. DB::Exception: default: Authentication failed | 516",
    "Connection refused | -1"
  })
  void theCodeIsReadFromTheMessageAs1816SendsIt(String message, int code) {
    assertThat(ClickHouseErrors.code(message)).isEqualTo(code);
  }

  @ParameterizedTest
  @CsvSource({"60, true", "81, true", "62, false", "-1, false"})
  void missingTableOrDatabaseIsTheSchemaNotThere(int code, boolean missing) {
    assertThat(ClickHouseErrors.isMissingObject(code)).isEqualTo(missing);
  }
}
