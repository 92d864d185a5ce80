package io.tidemark.stack;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.Transformer;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import org.w3c.dom.Comment;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * Makes the local ClickHouse server's config.xml and users.xml from the packaged ones.
 *
 * <p>Edits go through the DOM, never string pasting, so paths and passwords are escaped whatever
 * they contain. User names become element names in users.xml, which XML cannot escape, so they are
 * validated instead.
 */
final class ClickHouseConfig {
  private static final Pattern USER_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final List<String> UNUSED_PORTS =
      List.of(
          "https_port",
          "tcp_port_secure",
          "interserver_https_port",
          "mysql_port",
          "postgresql_port",
          "grpc_port",
          "prometheus");

  /** What differs between the packaged configuration and the local stack's. */
  record Settings(
      Path dir,
      Path logDir,
      int httpPort,
      int tcpPort,
      int interserverPort,
      String user,
      String password,
      String readonlyUser,
      String readonlyPassword) {}

  private ClickHouseConfig() {}

  /**
   * Rewrites a packaged config.xml: ports, loopback only, UTC, and every path under the stack.
   * Secure, MySQL and PostgreSQL ports are dropped; clusters pointing at the default ports too.
   */
  static Document renderServer(Document doc, Settings s) {
    Element root = doc.getDocumentElement();
    for (String name : UNUSED_PORTS) {
      removeChildren(root, name);
    }
    removeChildren(root, "remote_servers");
    removeChildren(root, "listen_host");
    setChild(root, "http_port", Integer.toString(s.httpPort()));
    setChild(root, "tcp_port", Integer.toString(s.tcpPort()));
    setChild(root, "interserver_http_port", Integer.toString(s.interserverPort()));
    setChild(root, "interserver_http_host", "127.0.0.1");
    setChild(root, "listen_host", "127.0.0.1");
    setChild(root, "timezone", "UTC");
    Path data = s.dir().resolve("data");
    setChild(root, "path", dirText(data));
    setChild(root, "tmp_path", dirText(data.resolve("tmp")));
    setChild(root, "user_files_path", dirText(data.resolve("user_files")));
    setChild(root, "format_schema_path", dirText(data.resolve("format_schemas")));
    setChild(root, "users_config", s.dir().resolve("users.xml").toString());
    Element logger = child(root, "logger");
    if (logger == null) {
      logger = (Element) root.appendChild(doc.createElement("logger"));
    }
    setChild(logger, "level", "information");
    setChild(logger, "log", s.logDir().resolve("clickhouse.log").toString());
    setChild(logger, "errorlog", s.logDir().resolve("clickhouse.err.log").toString());
    setChild(logger, "size", "100M");
    setChild(logger, "count", "3");
    // Newer packages keep users and grants in user_directories/access_control_path.
    Element directories = child(root, "user_directories");
    if (directories != null) {
      Element usersXml = child(directories, "users_xml");
      if (usersXml != null) {
        setChild(usersXml, "path", s.dir().resolve("users.xml").toString());
      }
      Element local = child(directories, "local_directory");
      if (local != null) {
        setChild(local, "path", dirText(data.resolve("access")));
      }
    }
    if (child(root, "access_control_path") != null) {
      setChild(root, "access_control_path", dirText(data.resolve("access")));
    }
    stamp(doc);
    return doc;
  }

  /**
   * Rewrites a packaged users.xml: keeps {@code default}, drops the packaged example users, sets
   * the writer's password and declares the serving layer's read-only user (profile readonly=1).
   *
   * @throws StackException when a user name cannot be an XML element name
   */
  static Document renderUsers(Document doc, Settings s) {
    requireUserName(s.user(), "tidemark.clickhouse.user");
    requireUserName(s.readonlyUser(), "tidemark.clickhouse.readonly-user");
    if (s.user().equals(s.readonlyUser())) {
      throw new StackException(
          "tidemark.clickhouse.user and tidemark.clickhouse.readonly-user are both " + s.user() + ": they must differ");
    }
    Element root = doc.getDocumentElement();
    Element profiles = childOrCreate(root, "profiles");
    childOrCreate(profiles, "default");
    Element readonlyProfile = childOrCreate(profiles, "readonly");
    setChild(readonlyProfile, "readonly", "1");
    childOrCreate(childOrCreate(root, "quotas"), "default");

    Element users = childOrCreate(root, "users");
    for (Element u : elements(users)) {
      if (!u.getTagName().equals("default")) {
        users.removeChild(u);
      }
    }
    Element writer = childOrCreate(users, s.user());
    declareUser(writer, s.password(), "default");
    Element reader = childOrCreate(users, s.readonlyUser());
    declareUser(reader, s.readonlyPassword(), "readonly");
    stamp(doc);
    return doc;
  }

  private static void declareUser(Element user, String password, String profile) {
    removeChildren(user, "password_sha256_hex");
    removeChildren(user, "password_double_sha1_hex");
    setChild(user, "password", password == null ? "" : password);
    removeChildren(user, "networks");
    Element networks = (Element) user.appendChild(user.getOwnerDocument().createElement("networks"));
    for (String ip : List.of("::1", "127.0.0.1")) {
      networks.appendChild(user.getOwnerDocument().createElement("ip")).setTextContent(ip);
    }
    setChild(user, "profile", profile);
    setChild(user, "quota", "default");
  }

  static void requireUserName(String name, String optionKey) {
    if (name == null || !USER_NAME.matcher(name).matches()) {
      throw new StackException(
          "ClickHouse user name '" + name + "' (" + optionKey + ") must match " + USER_NAME.pattern()
              + " for the local server");
    }
  }

  static Document parse(Path file) {
    try {
      DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
      f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      f.setExpandEntityReferences(false);
      DocumentBuilder b = f.newDocumentBuilder();
      b.setErrorHandler(
          new org.xml.sax.helpers.DefaultHandler() {
            @Override
            public void fatalError(org.xml.sax.SAXParseException e) throws org.xml.sax.SAXException {
              throw e;
            }
          });
      return b.parse(file.toFile());
    } catch (Exception e) {
      throw new StackException("Cannot read ClickHouse config " + file + ": " + e.getMessage(), e);
    }
  }

  static void write(Document doc, Path file) throws IOException {
    Files.createDirectories(file.getParent());
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (OutputStream out = Files.newOutputStream(tmp)) {
      TransformerFactory tf = TransformerFactory.newInstance();
      tf.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
      tf.setAttribute(XMLConstants.ACCESS_EXTERNAL_STYLESHEET, "");
      Transformer t = tf.newTransformer();
      t.setOutputProperty(OutputKeys.ENCODING, "UTF-8");
      t.transform(new DOMSource(doc), new StreamResult(out));
    } catch (javax.xml.transform.TransformerException e) {
      throw new IOException("Cannot write " + file + ": " + e.getMessage(), e);
    }
    Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  /** Drops the packaged comments (they describe the packaged ports and paths) and adds ours. */
  private static void stamp(Document doc) {
    Element root = doc.getDocumentElement();
    removeComments(root);
    String text = " Generated by Tidemark's local stack from the packaged file; rewritten on every stack up. ";
    root.insertBefore(doc.createComment(text), root.getFirstChild());
  }

  private static void removeComments(Node node) {
    Node c = node.getFirstChild();
    while (c != null) {
      Node next = c.getNextSibling();
      if (c instanceof Comment) {
        node.removeChild(c);
      } else {
        removeComments(c);
      }
      c = next;
    }
  }

  private static String dirText(Path dir) {
    String s = dir.toString();
    return s.endsWith("/") ? s : s + "/";
  }

  static Element child(Element parent, String name) {
    for (Element e : elements(parent)) {
      if (e.getTagName().equals(name)) {
        return e;
      }
    }
    return null;
  }

  private static Element childOrCreate(Element parent, String name) {
    Element e = child(parent, name);
    return e != null ? e : (Element) parent.appendChild(parent.getOwnerDocument().createElement(name));
  }

  private static void setChild(Element parent, String name, String text) {
    Element e = childOrCreate(parent, name);
    while (e.getFirstChild() != null) {
      e.removeChild(e.getFirstChild());
    }
    e.removeAttribute("incl");
    e.setTextContent(text);
  }

  private static void removeChildren(Element parent, String name) {
    for (Element e : elements(parent)) {
      if (e.getTagName().equals(name)) {
        parent.removeChild(e);
      }
    }
  }

  private static List<Element> elements(Element parent) {
    List<Element> out = new ArrayList<>();
    NodeList nodes = parent.getChildNodes();
    for (int i = 0; i < nodes.getLength(); i++) {
      if (nodes.item(i) instanceof Element e) {
        out.add(e);
      }
    }
    return out;
  }
}
