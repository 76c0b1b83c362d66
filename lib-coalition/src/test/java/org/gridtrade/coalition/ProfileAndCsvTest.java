package org.gridtrade.coalition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.StringReader;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProfileAndCsvTest {
  private static final Area AREA = Area.square(20);

  @Test
  void lognormal_keepsTheThesisMeanAndSd() {
    List<Prosumer> ps =
        ProfileGenerator.thesisDefaults()
            .generate(10_000, ProfileGenerator.Distribution.LOGNORMAL, AREA, 3);
    double[] c = ps.stream().mapToDouble(Prosumer::consumption).toArray();
    double[] g = ps.stream().mapToDouble(Prosumer::production).toArray();
    assertThat(mean(c)).isCloseTo(12.41, within(0.4));
    assertThat(mean(g)).isCloseTo(7.45, within(0.4));
    assertThat(sd(c)).isCloseTo(8.0, within(0.8));
  }

  @Test
  void everyDistribution_isNonNegative_insideTheArea_andDeterministic() {
    for (ProfileGenerator.Distribution d : ProfileGenerator.Distribution.values()) {
      List<Prosumer> ps = ProfileGenerator.thesisDefaults().generate(2000, d, AREA, 5);
      assertThat(ps)
          .allSatisfy(
              p -> {
                assertThat(p.production()).isGreaterThanOrEqualTo(0);
                assertThat(p.consumption()).isGreaterThanOrEqualTo(0);
                assertThat(AREA.contains(p.x(), p.y())).isTrue();
              });
      assertThat(ProfileGenerator.thesisDefaults().generate(2000, d, AREA, 5)).isEqualTo(ps);
    }
    // Truncated normal: the realised consumption mean is above the nominal one, as documented.
    List<Prosumer> n =
        ProfileGenerator.thesisDefaults()
            .generate(10_000, ProfileGenerator.Distribution.NORMAL, AREA, 9);
    assertThat(mean(n.stream().mapToDouble(Prosumer::consumption).toArray()))
        .isCloseTo(13.4, within(0.3));
  }

  private static double mean(double[] v) {
    double s = 0;
    for (double x : v) {
      s += x;
    }
    return s / v.length;
  }

  private static double sd(double[] v) {
    double m = mean(v);
    double s = 0;
    for (double x : v) {
      s += (x - m) * (x - m);
    }
    return Math.sqrt(s / (v.length - 1));
  }

  @Test
  void csv_readsTheDocumentedFormat() {
    String text =
        "# a comment\nid,production,consumption,x,y\nP0,10.5,3.2,4.0,7.5\n\nP1,0,12.4,12,3\n";
    List<Prosumer> ps = ProsumerCsv.read(new StringReader(text));
    assertThat(ps)
        .containsExactly(
            new Prosumer("P0", 10.5, 3.2, 4.0, 7.5), new Prosumer("P1", 0, 12.4, 12, 3));
  }

  @Test
  void csv_errorsNameLineColumnAndValue() {
    assertThatThrownBy(() -> ProsumerCsv.read(new StringReader("id,prod,consumption,x,y\n")))
        .hasMessageContaining("header column 2 is 'prod'");
    assertThatThrownBy(
            () ->
                ProsumerCsv.read(new StringReader("id,production,consumption,x,y\nP0,abc,1,1,1\n")))
        .hasMessageContaining("line 2: production 'abc' is not a number");
    assertThatThrownBy(
            () ->
                ProsumerCsv.read(new StringReader("id,production,consumption,x,y\nP0,1,-1,1,1\n")))
        .hasMessageContaining("line 2")
        .hasMessageContaining("consumption -1.0");
    assertThatThrownBy(
            () -> ProsumerCsv.read(new StringReader("id,production,consumption,x,y\nP0,1\n")))
        .hasMessageContaining("2 columns");
    assertThatThrownBy(() -> ProsumerCsv.read(new StringReader("")))
        .hasMessageContaining("no header");
  }

  @Test
  void baseline_tradesBilaterally_andNeverBeatsTheLpOnOneCoalition() {
    Community c =
        Community.of(AREA, List.of(new Prosumer("S", 6, 1, 1, 1), new Prosumer("B", 0, 4, 2, 1)));
    NonCooperativeBaseline.Result b = NonCooperativeBaseline.run(c, 1);
    assertThat(b.internalEnergy()).isCloseTo(4, within(1e-12));
    assertThat(b.edcEnergy()).isCloseTo(1, within(1e-12));
    // The grand coalition's LP minimises the total loss, so no bilateral plan beats it.
    for (long seed = 0; seed < 20; seed++) {
      Community r = Communities.random(seed, 15);
      double lp =
          CoalitionFormation.builder()
              .build()
              .evaluate(r, r.prosumers().stream().map(Prosumer::id).toList())
              .totalLoss();
      assertThat(NonCooperativeBaseline.run(r, seed).loss()).isGreaterThanOrEqualTo(lp - 1e-9);
    }
  }

  private static String ausgridRow(int customer, String category, String date, double each) {
    StringBuilder sb = new StringBuilder(customer + ",2076,3.78," + category + "," + date);
    for (int k = 0; k < 48; k++) {
      sb.append(',').append(each);
    }
    return sb.append(",\n").toString();
  }

  @Test
  void ausgrid_sumsHalfHoursPerCustomerAndDay() {
    String text =
        "Solar home electricity data\n"
            + "Customer,Postcode,Generator Capacity,Consumption Category,date,0:30,...\n"
            + ausgridRow(1, "GC", "1/07/2012", 0.25)
            + ausgridRow(1, "CL", "1/07/2012", 0.05)
            + ausgridRow(1, "GG", "1/07/2012", 0.5)
            + ausgridRow(2, "GC", "1/07/2012", 0.1)
            + ausgridRow(2, "GG", "1/07/2012", 0.0)
            + ausgridRow(1, "GC", "2/07/2012", 9.0);
    List<Prosumer> ps =
        ProsumerCsv.readAusgrid(
            new StringReader(text), java.time.LocalDate.of(2012, 7, 1), AREA, 4);
    assertThat(ps).extracting(Prosumer::id).containsExactly("C1", "C2");
    assertThat(ps.get(0).consumption()).isCloseTo(48 * 0.30, within(1e-9));
    assertThat(ps.get(0).production()).isCloseTo(48 * 0.5, within(1e-9));
    assertThat(ps.get(1).consumption()).isCloseTo(4.8, within(1e-9));
    assertThat(AREA.contains(ps.get(1).x(), ps.get(1).y())).isTrue();
    assertThatThrownBy(
            () ->
                ProsumerCsv.readAusgrid(
                    new StringReader(text), java.time.LocalDate.of(2013, 1, 1), AREA, 4))
        .hasMessageContaining("no Ausgrid row has the date 2013-01-01");
    assertThatThrownBy(
            () ->
                ProsumerCsv.readAusgrid(
                    new StringReader(ausgridRow(3, "XX", "1/07/2012", 1)),
                    java.time.LocalDate.of(2012, 7, 1),
                    AREA,
                    4))
        .hasMessageContaining("line 1: consumption category 'XX'");
  }
}
