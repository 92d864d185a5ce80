package io.tidemark.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

class ClickHouseConfigTest {
  private static final String SERVER_TEMPLATE =
      """
      <?xml version="1.0"?>
      <yandex>
          <!-- packaged comment mentioning <https_port>8443</https_port> -->
          <logger><level>warning</level><log>/var/log/clickhouse-server/clickhouse-server.log</log></logger>
          <http_port>8123</http_port>
          <tcp_port>9000</tcp_port>
          <https_port>8443</https_port>
          <mysql_port>9004</mysql_port>
          <interserver_http_port>9009</interserver_http_port>
          <listen_host>::</listen_host>
          <path>/var/lib/clickhouse/</path>
          <tmp_path>/var/lib/clickhouse/tmp/</tmp_path>
          <users_config>users.xml</users_config>
          <remote_servers incl="clickhouse_remote_servers"><s><shard><replica><host>localhost</host><port>9000</port></replica></shard></s></remote_servers>
      </yandex>
      """;

  private static final String USERS_TEMPLATE =
      """
      <?xml version="1.0"?>
      <yandex>
          <profiles><default><max_memory_usage>10000000000</max_memory_usage></default><readonly><readonly>1</readonly></readonly></profiles>
          <users>
              <default><password></password><networks incl="networks" replace="replace"><ip>::/0</ip></networks><profile>default</profile><quota>default</quota></default>
              <readonly><password></password><profile>readonly</profile><quota>default</quota></readonly>
          </users>
          <quotas><default/></quotas>
      </yandex>
      """;

  @TempDir Path tmp;

  private ClickHouseConfig.Settings settings(String password, String readonlyUser) {
    return new ClickHouseConfig.Settings(
        tmp.resolve("home/clickhouse"), tmp.resolve("home/logs"), 18123, 19000, 19009, "default", password, readonlyUser, "r3ader");
  }

  private Document parse(String xml) throws Exception {
    Path f = Files.createTempFile(tmp, "template", ".xml");
    Files.writeString(f, xml.strip());
    return ClickHouseConfig.parse(f);
  }

  private static String text(Element parent, String child) {
    return ClickHouseConfig.child(parent, child).getTextContent();
  }

  @Test
  void serverConfigUsesStackPortsPathsLoopbackAndUtc() throws Exception {
    Path out = tmp.resolve("config.xml");
    ClickHouseConfig.write(ClickHouseConfig.renderServer(parse(SERVER_TEMPLATE), settings("", "reader")), out);
    Element root = ClickHouseConfig.parse(out).getDocumentElement();
    Path dir = tmp.resolve("home/clickhouse");
    assertThat(text(root, "http_port")).isEqualTo("18123");
    assertThat(text(root, "tcp_port")).isEqualTo("19000");
    assertThat(text(root, "interserver_http_port")).isEqualTo("19009");
    assertThat(text(root, "listen_host")).isEqualTo("127.0.0.1");
    assertThat(root.getElementsByTagName("listen_host").getLength()).isEqualTo(1);
    assertThat(text(root, "timezone")).isEqualTo("UTC");
    assertThat(text(root, "path")).isEqualTo(dir.resolve("data") + "/");
    assertThat(text(root, "tmp_path")).isEqualTo(dir.resolve("data/tmp") + "/");
    assertThat(text(root, "user_files_path")).isEqualTo(dir.resolve("data/user_files") + "/");
    assertThat(text(root, "format_schema_path")).isEqualTo(dir.resolve("data/format_schemas") + "/");
    assertThat(text(root, "users_config")).isEqualTo(dir.resolve("users.xml").toString());
    Element logger = ClickHouseConfig.child(root, "logger");
    assertThat(text(logger, "log")).isEqualTo(tmp.resolve("home/logs/clickhouse.log").toString());
    assertThat(text(logger, "errorlog")).isEqualTo(tmp.resolve("home/logs/clickhouse.err.log").toString());
    assertThat(ClickHouseConfig.child(root, "https_port")).isNull();
    assertThat(ClickHouseConfig.child(root, "mysql_port")).isNull();
    assertThat(ClickHouseConfig.child(root, "remote_servers")).isNull();
    assertThat(Files.readString(out)).doesNotContain("8443").doesNotContain("/var/lib/clickhouse");
  }

  @Test
  void pathsWithXmlSpecialCharactersAreEscaped() throws Exception {
    Path odd = tmp.resolve("a&b <c>");
    ClickHouseConfig.Settings s =
        new ClickHouseConfig.Settings(odd.resolve("clickhouse"), odd.resolve("logs"), 1, 2, 3, "default", "", "reader", "x");
    Path out = tmp.resolve("config.xml");
    ClickHouseConfig.write(ClickHouseConfig.renderServer(parse(SERVER_TEMPLATE), s), out);
    assertThat(Files.readString(out)).contains("a&amp;b &lt;c&gt;/clickhouse/data/");
    assertThat(text(ClickHouseConfig.parse(out).getDocumentElement(), "path")).isEqualTo(odd.resolve("clickhouse/data") + "/");
  }

  @Test
  void usersConfigSetsPasswordsAndDeclaresTheReadOnlyUser() throws Exception {
    String password = "p<&>\"'w]]>d";
    Path out = tmp.resolve("users.xml");
    ClickHouseConfig.write(ClickHouseConfig.renderUsers(parse(USERS_TEMPLATE), settings(password, "tidemark_reader")), out);
    String raw = Files.readString(out);
    assertThat(raw).doesNotContain(password).contains("&lt;&amp;");
    Element users = ClickHouseConfig.child(ClickHouseConfig.parse(out).getDocumentElement(), "users");
    Element def = ClickHouseConfig.child(users, "default");
    assertThat(text(def, "password")).isEqualTo(password);
    assertThat(text(def, "profile")).isEqualTo("default");
    assertThat(ClickHouseConfig.child(def, "networks").getTextContent()).isEqualTo("::1127.0.0.1");
    Element reader = ClickHouseConfig.child(users, "tidemark_reader");
    assertThat(text(reader, "password")).isEqualTo("r3ader");
    assertThat(text(reader, "profile")).isEqualTo("readonly");
    assertThat(ClickHouseConfig.child(users, "readonly")).as("packaged password-less example user").isNull();
    Element profiles = ClickHouseConfig.child(ClickHouseConfig.parse(out).getDocumentElement(), "profiles");
    assertThat(text(ClickHouseConfig.child(profiles, "readonly"), "readonly")).isEqualTo("1");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "two words", "1st", "a<b", "x&y", "ünï"})
  void userNamesThatCannotBeElementNamesAreRejected(String name) {
    assertThatThrownBy(() -> ClickHouseConfig.renderUsers(parse(USERS_TEMPLATE), settings("", name)))
        .isInstanceOf(StackException.class)
        .hasMessage(
            "ClickHouse user name '" + name + "' (tidemark.clickhouse.readonly-user) must match"
                + " [A-Za-z_][A-Za-z0-9_]* for the local server");
  }

  @Test
  void readOnlyUserMustDifferFromTheWriter() {
    assertThatThrownBy(() -> ClickHouseConfig.renderUsers(parse(USERS_TEMPLATE), settings("", "default")))
        .isInstanceOf(StackException.class)
        .hasMessage("tidemark.clickhouse.user and tidemark.clickhouse.readonly-user are both default: they must differ");
  }

  @Test
  void documentTypeDeclarationsAreRefused() throws Exception {
    Path f = tmp.resolve("evil.xml");
    Files.writeString(f, "<?xml version=\"1.0\"?><!DOCTYPE y [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><y>&e;</y>");
    assertThatThrownBy(() -> ClickHouseConfig.parse(f)).isInstanceOf(StackException.class).hasMessageStartingWith("Cannot read ClickHouse config " + f);
  }
}
