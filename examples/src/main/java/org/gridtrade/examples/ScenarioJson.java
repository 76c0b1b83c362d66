package org.gridtrade.examples;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.BiFunction;

/**
 * Reads scenario files: JSON objects whose fields are named by the command that reads them. Every
 * problem is an {@link IllegalArgumentException} whose message names the field by its JSON path
 * ({@code sellOrders[2].price}), the value found and the rule. Unknown fields are ignored, so a
 * scenario may carry notes or fields for other tools.
 */
final class ScenarioJson {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private ScenarioJson() {}

  /**
   * Parses a scenario file.
   *
   * @param file the file
   * @return its top-level JSON object
   * @throws IllegalArgumentException if the file cannot be read or is not a JSON object
   */
  static JsonNode read(Path file) {
    try {
      JsonNode root = MAPPER.readTree(Files.readString(file));
      if (root == null || !root.isObject()) {
        throw new IllegalArgumentException("the file must hold one JSON object");
      }
      return root;
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException("no such file");
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "not valid JSON at line %d, column %d: %s"
              .formatted(
                  e.getLocation() == null ? 0 : e.getLocation().getLineNr(),
                  e.getLocation() == null ? 0 : e.getLocation().getColumnNr(),
                  e.getOriginalMessage()));
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot be read: " + e);
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
          "field '%s' is %s; it must be a non-blank string".formatted(where, v));
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
    if (!v.isNumber() || !Double.isFinite(v.asDouble())) {
      throw new IllegalArgumentException(
          "field '%s' is %s; it must be a finite number".formatted(where, v));
    }
    return v.asDouble();
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
   * @param element turns one object into a value
   * @return the values in file order
   */
  static <T> List<T> objects(
      JsonNode node, String path, String field, BiFunction<JsonNode, String, T> element) {
    JsonNode v = node.get(field);
    String where = join(path, field);
    if (v == null || v.isNull()) {
      throw new IllegalArgumentException("field '%s' is missing".formatted(where));
    }
    if (!v.isArray()) {
      throw new IllegalArgumentException(
          "field '%s' is %s; it must be an array of objects".formatted(where, abbreviate(v)));
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

  private static String abbreviate(JsonNode v) {
    String s = v.toString();
    return s.length() <= 40 ? s : s.substring(0, 37) + "...";
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
