package org.gridtrade.examples.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.BiFunction;

/**
 * Reads scenario files: JSON objects whose fields are named by the command that reads them. Every
 * problem is an {@link IllegalArgumentException} whose message names the field by its JSON path
 * ({@code sellOrders[2].price}), the value found and the rule. Unknown fields are ignored, so a
 * scenario may carry notes or fields for other tools.
 *
 * <p>Reading is strict and bounded, so hostile input fails fast with one message: at most {@link
 * #MAX_BYTES} bytes are read (an endless stream such as {@code /dev/zero} stops there), the file
 * must hold exactly one JSON object and nothing after it, a key may not repeat within an object,
 * {@code NaN} and {@code Infinity} tokens are refused, numbers have at most {@link
 * #MAX_NUMBER_LENGTH} characters, strings at most {@link #MAX_STRING_LENGTH}, nesting is at most
 * {@link #MAX_DEPTH} deep and a file has at most {@link #MAX_TOKENS} tokens. Every array a command
 * reads has its own length limit, stated in the message when exceeded.
 */
public final class ScenarioJson {
  /** The most bytes of a scenario file: 16 MiB. */
  static final int MAX_BYTES = 16 << 20;

  /** The most JSON tokens (values, keys, brackets) in a scenario file. */
  static final long MAX_TOKENS = 4_000_000;

  /** The deepest nesting of arrays and objects. */
  static final int MAX_DEPTH = 32;

  /** The most characters of one number. */
  static final int MAX_NUMBER_LENGTH = 64;

  /** The most characters of one string value or key. */
  static final int MAX_STRING_LENGTH = 1 << 16;

  /** The most characters of an id or another text field. */
  static final int MAX_TEXT_LENGTH = 200;

  private static final ObjectMapper MAPPER =
      JsonMapper.builder(
              JsonFactory.builder()
                  .streamReadConstraints(
                      StreamReadConstraints.builder()
                          .maxDocumentLength(MAX_BYTES)
                          .maxTokenCount(MAX_TOKENS)
                          .maxNestingDepth(MAX_DEPTH)
                          .maxNumberLength(MAX_NUMBER_LENGTH)
                          .maxStringLength(MAX_STRING_LENGTH)
                          .maxNameLength(MAX_STRING_LENGTH)
                          .build())
                  .build())
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
          .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
          .build();

  private ScenarioJson() {}

  /**
   * Parses a scenario file.
   *
   * @param file the file
   * @return its top-level JSON object
   * @throws IllegalArgumentException if the file cannot be read, is larger than {@link #MAX_BYTES}
   *     or is not exactly one JSON object
   */
  static JsonNode read(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      return read(in);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException("no such file");
    } catch (AccessDeniedException e) {
      throw new IllegalArgumentException("cannot be read: permission denied");
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot be read: " + e.getClass().getSimpleName());
    }
  }

  /**
   * Parses a scenario from a stream, reading at most {@link #MAX_BYTES} + 1 bytes of it.
   *
   * @param in the stream (not closed)
   * @return its top-level JSON object
   * @throws IOException if the stream fails
   * @throws IllegalArgumentException if the input is too large or not exactly one JSON object
   */
  static JsonNode read(InputStream in) throws IOException {
    byte[] bytes = readBounded(in);
    JsonNode root;
    try (JsonParser parser = MAPPER.createParser(bytes)) {
      try {
        root = MAPPER.readTree(parser);
        if (root != null && parser.nextToken() != null) {
          JsonLocation at = parser.currentTokenLocation();
          throw new IllegalArgumentException(
              ("more data after the JSON object at line %d, column %d; the file must hold one JSON"
                      + " object and nothing else")
                  .formatted(at.getLineNr(), at.getColumnNr()));
        }
      } catch (JsonProcessingException e) {
        JsonLocation at = parser.currentLocation();
        String field = path(parser.getParsingContext());
        throw new IllegalArgumentException(
            "not valid JSON at line %d, column %d%s: %s"
                .formatted(
                    at.getLineNr(),
                    at.getColumnNr(),
                    field.isEmpty() ? "" : " (field '%s')".formatted(field),
                    abbreviate(String.valueOf(e.getOriginalMessage()), 160)));
      }
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException(
          "the file holds %s; it must hold one JSON object"
              .formatted(
                  root == null || root.isMissingNode() ? "no JSON value" : abbreviate(root)));
    }
    return root;
  }

  /**
   * The JSON path of the parser's position, in the notation of the messages: {@code evs[2].soc}.
   */
  private static String path(JsonStreamContext context) {
    StringBuilder path = new StringBuilder();
    for (JsonStreamContext c = context; c != null && !c.inRoot(); c = c.getParent()) {
      if (c.inArray()) {
        path.insert(0, "[%d]".formatted(Math.max(0, c.getCurrentIndex())));
      } else if (c.getCurrentName() != null) {
        path.insert(0, "." + abbreviate(c.getCurrentName(), 40));
      }
    }
    return path.length() > 0 && path.charAt(0) == '.' ? path.substring(1) : path.toString();
  }

  private static byte[] readBounded(InputStream in) throws IOException {
    byte[] buf = new byte[8192];
    int n = 0;
    while (true) {
      if (n == buf.length) {
        if (n > MAX_BYTES) {
          throw new IllegalArgumentException(
              "the file is larger than %d bytes (16 MiB), the limit of a scenario"
                  .formatted(MAX_BYTES));
        }
        buf = Arrays.copyOf(buf, Math.min(2 * buf.length, MAX_BYTES + 1));
      }
      int r = in.read(buf, n, buf.length - n);
      if (r < 0) {
        return Arrays.copyOf(buf, n);
      }
      n += r;
    }
  }

  /**
   * A required text field.
   *
   * @param node the object
   * @param path the object's JSON path, "" for the root
   * @param field the field's name
   * @return the text, not blank
   */
  static String text(JsonNode node, String path, String field) {
    JsonNode v = node.get(field);
    String where = join(path, field);
    if (v == null || v.isNull()) {
      throw new IllegalArgumentException("field '%s' is missing".formatted(where));
    }
    if (!v.isTextual() || v.asText().isBlank()) {
      throw new IllegalArgumentException(
          "field '%s' is %s; it must be a non-blank string".formatted(where, abbreviate(v)));
    }
    if (v.asText().length() > MAX_TEXT_LENGTH) {
      throw new IllegalArgumentException(
          "field '%s' is %s; it must have at most %d characters"
              .formatted(where, abbreviate(v), MAX_TEXT_LENGTH));
    }
    return v.asText();
  }

  /**
   * An optional text field.
   *
   * @param node the object
   * @param path the object's JSON path
   * @param field the field's name
   * @param fallback the value when the field is absent
   * @return the text or {@code fallback}
   */
  static String text(JsonNode node, String path, String field, String fallback) {
    JsonNode v = node.get(field);
    return v == null || v.isNull() ? fallback : text(node, path, field);
  }

  /**
   * A required finite number.
   *
   * @param node the object
   * @param path the object's JSON path
   * @param field the field's name
   * @return the number
   */
  static double number(JsonNode node, String path, String field) {
    JsonNode v = node.get(field);
    String where = join(path, field);
    if (v == null || v.isNull()) {
      throw new IllegalArgumentException("field '%s' is missing".formatted(where));
    }
    return finite(v, where);
  }

  /**
   * The value of a number node, refusing anything but a finite number (a literal such as {@code
   * 1e999} overflows to infinity and is refused too).
   *
   * @param v the node
   * @param where its JSON path
   * @return the number
   */
  static double finite(JsonNode v, String where) {
    if (v == null || !v.isNumber() || !Double.isFinite(v.asDouble())) {
      throw new IllegalArgumentException(
          "field '%s' is %s; it must be a finite number".formatted(where, abbreviate(v)));
    }
    return v.asDouble();
  }

  /**
   * A required integer field in {@code [min, max]}.
   *
   * @param node the object
   * @param path the object's JSON path
   * @param field the field's name
   * @param min the least value
   * @param max the largest value
   * @return the integer
   */
  static long integer(JsonNode node, String path, String field, long min, long max) {
    JsonNode v = node.get(field);
    String where = join(path, field);
    if (v == null || v.isNull()) {
      throw new IllegalArgumentException("field '%s' is missing".formatted(where));
    }
    if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < min || v.asLong() > max) {
      throw new IllegalArgumentException(
          "field '%s' is %s; it must be an integer in %d..%d"
              .formatted(where, abbreviate(v), min, max));
    }
    return v.asLong();
  }

  /**
   * A required array of finite numbers with a given length.
   *
   * @param node the object
   * @param path the object's JSON path
   * @param field the array's field name
   * @param length the required number of elements
   * @return the numbers in file order
   */
  static List<Double> numbers(JsonNode node, String path, String field, int length) {
    JsonNode v = node.get(field);
    String where = join(path, field);
    if (v == null || v.isNull()) {
      throw new IllegalArgumentException("field '%s' is missing".formatted(where));
    }
    if (!v.isArray() || v.size() != length) {
      throw new IllegalArgumentException(
          "field '%s' is %s; it must be an array of %d numbers"
              .formatted(where, abbreviate(v), length));
    }
    List<Double> out = new ArrayList<>(length);
    for (int i = 0; i < length; i++) {
      out.add(finite(v.get(i), "%s[%d]".formatted(where, i)));
    }
    return out;
  }

  /**
   * An optional finite number.
   *
   * @param node the object
   * @param path the object's JSON path
   * @param field the field's name
   * @param fallback the value when the field is absent
   * @return the number or {@code fallback}
   */
  static double number(JsonNode node, String path, String field, double fallback) {
    JsonNode v = node.get(field);
    return v == null || v.isNull() ? fallback : number(node, path, field);
  }

  /**
   * A required array of objects, each turned into a value by {@code element}, which receives the
   * object and its JSON path ({@code sellOrders[3]}).
   *
   * @param <T> the element type
   * @param node the object
   * @param path the object's JSON path
   * @param field the array's field name
   * @param max the most elements
   * @param element turns one object into a value
   * @return the values in file order
   */
  static <T> List<T> objects(
      JsonNode node, String path, String field, int max, BiFunction<JsonNode, String, T> element) {
    JsonNode v = node.get(field);
    String where = join(path, field);
    if (v == null || v.isNull()) {
      throw new IllegalArgumentException("field '%s' is missing".formatted(where));
    }
    if (!v.isArray()) {
      throw new IllegalArgumentException(
          "field '%s' is %s; it must be an array of objects".formatted(where, abbreviate(v)));
    }
    if (v.size() > max) {
      throw new IllegalArgumentException(
          "field '%s' has %d elements; the limit is %d".formatted(where, v.size(), max));
    }
    List<T> out = new ArrayList<>(v.size());
    for (int i = 0; i < v.size(); i++) {
      JsonNode e = v.get(i);
      String at = "%s[%d]".formatted(where, i);
      if (!e.isObject()) {
        throw new IllegalArgumentException(
            "'%s' is %s; it must be an object".formatted(at, abbreviate(e)));
      }
      try {
        out.add(element.apply(e, at));
      } catch (IllegalArgumentException ex) {
        if (ex.getMessage() != null && ex.getMessage().contains(at)) {
          throw ex;
        }
        throw new IllegalArgumentException("'%s': %s".formatted(at, ex.getMessage()), ex);
      }
    }
    return out;
  }

  /**
   * Whether an optional array field is present.
   *
   * @param node the object
   * @param field the field's name
   * @return true if present and not null
   */
  static boolean has(JsonNode node, String field) {
    JsonNode v = node.get(field);
    return v != null && !v.isNull();
  }

  private static String join(String path, String field) {
    return path.isEmpty() ? field : path + "." + field;
  }

  /**
   * A node as JSON text, cut to 40 characters.
   *
   * @param v the node, or null for a missing one
   * @return the text
   */
  static String abbreviate(JsonNode v) {
    return v == null ? "missing" : abbreviate(v.toString(), 40);
  }

  private static String abbreviate(String s, int max) {
    String one = s.replaceAll("\\s*\\R\\s*", " ");
    return one.length() <= max ? one : one.substring(0, max - 3) + "...";
  }

  /**
   * Formats a number for text output in {@link Locale#ROOT}.
   *
   * @param value the number
   * @param decimals digits after the point
   * @return the text
   */
  static String fmt(double value, int decimals) {
    return String.format(Locale.ROOT, "%." + decimals + "f", value);
  }
}
