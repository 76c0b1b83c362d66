package org.gridtrade.coalition;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Reads prosumers from CSV text: this SDK's own format ({@link #read}) or one day of the Ausgrid
 * solar-home data Moniruzzaman used ({@link #readAusgrid}). The own format: a header line {@code
 * id,production,consumption,x,y} (columns in this order, names case-insensitive), then one prosumer
 * per line; energies in kWh, coordinates in km, decimal points (never commas), no quoting. Blank
 * lines and lines starting with {@code #} are skipped. Every problem is an {@link
 * IllegalArgumentException} naming the line, the column and the value. Stateless and thread-safe.
 *
 * <pre>{@code
 * id,production,consumption,x,y
 * P0,10.5,3.2,4.0,7.5
 * P1,0,12.4,12.0,3.0
 * }</pre>
 */
public final class ProsumerCsv {
  private static final String[] HEADER = {"id", "production", "consumption", "x", "y"};

  private ProsumerCsv() {}

  /**
   * Parses prosumers.
   *
   * @param in the CSV text
   * @return the prosumers in file order (the caller validates them as a {@link Community})
   * @throws IllegalArgumentException on a bad header, a short line or a bad number
   * @throws UncheckedIOException if reading fails
   */
  public static List<Prosumer> read(Reader in) {
    List<Prosumer> out = new ArrayList<>();
    try (BufferedReader r = new BufferedReader(in)) {
      String line;
      int no = 0;
      boolean header = false;
      while ((line = r.readLine()) != null) {
        no++;
        String t = line.strip();
        if (t.isEmpty() || t.startsWith("#")) {
          continue;
        }
        String[] f = t.split(",", -1);
        if (!header) {
          if (f.length != HEADER.length) {
            throw new IllegalArgumentException(
                "line %d: header '%s' must be %s".formatted(no, t, String.join(",", HEADER)));
          }
          for (int k = 0; k < HEADER.length; k++) {
            if (!f[k].strip().toLowerCase(Locale.ROOT).equals(HEADER[k])) {
              throw new IllegalArgumentException(
                  "line %d: header column %d is '%s'; expected '%s'"
                      .formatted(no, k + 1, f[k].strip(), HEADER[k]));
            }
          }
          header = true;
          continue;
        }
        if (f.length != HEADER.length) {
          throw new IllegalArgumentException(
              "line %d: %d columns; expected %d (%s)"
                  .formatted(no, f.length, HEADER.length, String.join(",", HEADER)));
        }
        double[] v = new double[4];
        for (int k = 1; k < 5; k++) {
          String s = f[k].strip();
          try {
            v[k - 1] = Double.parseDouble(s);
          } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                "line %d: %s '%s' is not a number".formatted(no, HEADER[k], s), e);
          }
        }
        try {
          out.add(new Prosumer(f[0].strip(), v[0], v[1], v[2], v[3]));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("line %d: %s".formatted(no, e.getMessage()), e);
        }
      }
      if (!header) {
        throw new IllegalArgumentException(
            "no header line; expected %s".formatted(String.join(",", HEADER)));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  private static final DateTimeFormatter[] AUSGRID_DATES = {
    DateTimeFormatter.ofPattern("d/M/uuuu", Locale.ROOT),
    DateTimeFormatter.ofPattern("ddMMuuuu", Locale.ROOT),
    DateTimeFormatter.ISO_LOCAL_DATE,
    DateTimeFormatter.ofPattern("d-MMM-uu", Locale.ENGLISH)
  };

  /**
   * Reads one day of the Ausgrid "Solar home electricity data" (Moniruzzaman's data set, Table
   * 3.1): rows {@code Customer, Postcode, Generator Capacity, Consumption Category, date, 48
   * half-hourly kWh values[, Row Quality]}. Lines that do not start with a customer number (the
   * title and header lines) are skipped. For the given date, each customer's consumption is the sum
   * of its {@code GC} (general consumption) and {@code CL} (controlled load) rows and its
   * production the sum of its {@code GG} (gross generation) row. The data set has postcodes, not
   * locations, so each customer is placed uniformly at random in the area with the given seed.
   * Prosumer ids are {@code C<customer>}, in order of first appearance. Dates may be written {@code
   * d/M/yyyy}, {@code ddMMyyyy}, {@code yyyy-MM-dd} or {@code d-MMM-yy}.
   *
   * @param in the CSV text
   * @param date the day to read
   * @param area the area to place customers in
   * @param seed the seed of the placement
   * @return one prosumer per customer with a row on that date
   * @throws IllegalArgumentException naming the line when a row is malformed or no row has the date
   * @throws UncheckedIOException if reading fails
   */
  public static List<Prosumer> readAusgrid(Reader in, LocalDate date, Area area, long seed) {
    Objects.requireNonNull(date, "date");
    Objects.requireNonNull(area, "area");
    Map<String, double[]> byCustomer = new LinkedHashMap<>(); // {production, consumption}
    try (BufferedReader r = new BufferedReader(in)) {
      String line;
      int no = 0;
      while ((line = r.readLine()) != null) {
        no++;
        String[] f = line.split(",", -1);
        if (f.length < 5 || !f[0].strip().matches("\\d+")) {
          continue;
        }
        if (f.length < 5 + 48) {
          throw new IllegalArgumentException(
              "line %d: %d columns; an Ausgrid row has at least 53".formatted(no, f.length));
        }
        LocalDate d = ausgridDate(f[4].strip(), no);
        if (!d.equals(date)) {
          continue;
        }
        double total = 0;
        for (int k = 5; k < 5 + 48; k++) {
          String v = f[k].strip();
          double x;
          try {
            x = v.isEmpty() ? 0 : Double.parseDouble(v);
          } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                "line %d: column %d '%s' is not a number".formatted(no, k + 1, v), e);
          }
          if (!Double.isFinite(x) || x < 0) {
            throw new IllegalArgumentException(
                "line %d: column %d value %s must be finite and >= 0".formatted(no, k + 1, x));
          }
          total += x;
        }
        String category = f[3].strip().toUpperCase(Locale.ROOT);
        double[] pc = byCustomer.computeIfAbsent("C" + f[0].strip(), k -> new double[2]);
        switch (category) {
          case "GG" -> pc[0] += total;
          case "GC", "CL" -> pc[1] += total;
          default ->
              throw new IllegalArgumentException(
                  "line %d: consumption category '%s' must be GC, CL or GG"
                      .formatted(no, f[3].strip()));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (byCustomer.isEmpty()) {
      throw new IllegalArgumentException("no Ausgrid row has the date %s".formatted(date));
    }
    SplittableRandom rnd = new SplittableRandom(seed);
    List<Prosumer> out = new ArrayList<>();
    byCustomer.forEach(
        (id, pc) ->
            out.add(
                new Prosumer(
                    id,
                    pc[0],
                    pc[1],
                    rnd.nextDouble() * area.width(),
                    rnd.nextDouble() * area.height())));
    return out;
  }

  private static LocalDate ausgridDate(String text, int line) {
    for (DateTimeFormatter f : AUSGRID_DATES) {
      try {
        return LocalDate.parse(text, f);
      } catch (DateTimeParseException e) {
        // try the next format
      }
    }
    throw new IllegalArgumentException(
        "line %d: date '%s' is not d/M/yyyy, ddMMyyyy, yyyy-MM-dd or d-MMM-yy"
            .formatted(line, text));
  }
}
