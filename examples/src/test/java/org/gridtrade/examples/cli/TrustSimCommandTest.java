package org.gridtrade.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

public class TrustSimCommandTest {

  @Test
  void thesisExperiment_maliciousUsersEndWithLowTrust_andLoseMarketShare() {
    Cli r = Cli.run("trust-sim", "--seed", "3", "--rounds", "24", "--json");

    assertThat(r.exitCode()).as(r.err()).isZero();
    JsonNode j = r.json();
    assertThat(j.get("prosumers").asInt()).isEqualTo(50);
    assertThat(j.get("consumers").asInt()).isEqualTo(50);
    assertThat(j.get("malicious").asInt()).isEqualTo(30);
    double honest = j.get("honestMeanTrust").asDouble();
    double bad = j.get("maliciousMeanTrust").asDouble();
    assertThat(honest).isGreaterThan(3.5).isLessThanOrEqualTo(5.0);
    assertThat(bad).isGreaterThan(0).isLessThan(3.5).isLessThan(honest - 0.8);
    JsonNode series = j.get("series");
    assertThat(series.size()).isEqualTo(24);
    // Before any rating everybody has trust 0; from the second round on they separate.
    assertThat(series.get(0).get("honestMeanTrust").asDouble()).isZero();
    assertThat(series.get(23).get("maliciousMeanTrp").asDouble()).isLessThan(1.5);
    assertThat(series.get(23).get("honestMeanTrp").asDouble()).isGreaterThan(1.5);
    // The malicious users are 30 of 130 traders; they end up with less than that share.
    double share = j.get("maliciousTradedShare").asDouble();
    assertThat(share).isGreaterThan(0).isLessThan(1);
    // 15 of the 65 buyers and 15 of the 65 sellers are malicious; both get less than that share.
    assertThat(j.get("maliciousBoughtShare").asDouble()).isLessThan(15.0 / 65);
    assertThat(j.get("maliciousSoldShare").asDouble()).isLessThan(15.0 / 65);
    // Against the same market without trust-rated access, the malicious share falls.
    assertThat(share).isLessThan(j.at("/withoutTrust/maliciousTradedShare").asDouble());
    assertThat(j.get("maliciousBoughtShare").asDouble())
        .isLessThan(j.at("/withoutTrust/maliciousBoughtShare").asDouble());
    assertThat(j.get("maliciousBuyerMeanPrice").asDouble())
        .isGreaterThan(j.get("honestBuyerMeanPrice").asDouble());
    assertThat(j.get("ratings").asInt()).isPositive();
    assertThat(j.get("trades").asInt()).isGreaterThan(j.get("ratings").asInt() / 2 - 1);
    // The wash-trading ring: trust from the ledger's ratings, none from the market's.
    JsonNode w = j.get("washRing");
    assertThat(w.get("ring").asInt()).isEqualTo(5);
    assertThat(w.at("/ledgerRatings/ringTrust").asDouble()).isGreaterThan(3.5);
    assertThat(w.at("/marketRatings/ringTrust").asDouble()).isZero();
    assertThat(w.at("/marketRatings/ringTrp").asInt()).isEqualTo(1);
    assertThat(w.at("/marketRatings/ringRatingsSent").asInt()).isEqualTo(5 * 24);
    assertThat(w.at("/marketRatings/ringRatingsRefused").asInt()).isEqualTo(5 * 24);
    assertThat(w.at("/marketRatings/honestRatingsAccepted").asInt()).isEqualTo(24);
    assertThat(w.get("series").size()).isEqualTo(24);
  }

  @Test
  void sameSeed_sameNumbers_otherSeedOtherNumbers() {
    JsonNode a = Cli.run("trust-sim", "--seed", "9", "--rounds", "6", "--json").json();
    JsonNode b = Cli.run("trust-sim", "--seed", "9", "--rounds", "6", "--json").json();
    JsonNode c = Cli.run("trust-sim", "--seed", "10", "--rounds", "6", "--json").json();
    assertThat(a.get("series")).isEqualTo(b.get("series"));
    assertThat(a.get("maliciousTradedShare")).isEqualTo(b.get("maliciousTradedShare"));
    assertThat(a.get("series")).isNotEqualTo(c.get("series"));
  }

  @Test
  void noMaliciousUsers_shareIsZero_textAndChartWritten(@TempDir Path dir) throws Exception {
    Path svg = dir.resolve("trust.svg");
    Cli r =
        Cli.run(
            "trust-sim",
            "--seed",
            "2",
            "--rounds",
            "4",
            "--malicious",
            "0",
            "--chart",
            svg.toString());
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("final mean trust")
        .contains("malicious share of traded energy 0.0 %");
    assertThat(Files.readString(svg)).contains("<svg");
  }

  @Test
  void badInput_refusedWithOneLine() {
    Cli r = Cli.run("trust-sim", "--rounds", "1");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.errorLine()).contains("--rounds 1 is outside 2..1000");
    assertThat(Cli.run("trust-sim", "--chart", "x.gif").exitCode()).isEqualTo(2);
    Cli ring = Cli.run("trust-sim", "--ring", "1");
    assertThat(ring.exitCode()).isEqualTo(2);
    assertThat(ring.errorLine()).contains("--ring 1 is outside 2..50");
  }
}
