package org.gridtrade.game.v2v;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A trained model written to a file and read back acts exactly as before; bad files are refused.
 */
class PpoModelFileTest {
  @TempDir Path dir;
  private PpoLearner trained;
  private Path file;
  private List<String> lines;

  @BeforeEach
  void trainAndWrite() throws IOException {
    trained = new PpoLearner(PpoLearnerTest.small(5));
    trained.train(V2vScenario.defaults(), 1_024);
    file = dir.resolve("ev.model");
    trained.writeModel(file);
    lines = Files.readAllLines(file, StandardCharsets.UTF_8);
  }

  @Test
  void readModel_actsAsTheWrittenModel_sameParametersHashAndCounts() throws IOException {
    PpoLearner read = PpoLearner.readModel(file);

    assertThat(read.config()).isEqualTo(trained.config());
    assertThat(read.parameters()).isEqualTo(trained.parameters()); // bit for bit
    assertThat(read.modelHash())
        .isEqualTo(FederatedTraining.modelHash(trained.parameters()))
        .isEqualTo(lines.get(lines.size() - 1).substring("sha256=".length()));
    assertThat(read.stepsTrained()).isEqualTo(trained.stepsTrained()).isPositive();
    assertThat(read.episodesTrained()).isEqualTo(trained.episodesTrained());
    V2vScenario s = V2vScenario.defaults();
    SplittableRandom rng = new SplittableRandom(9);
    for (int day = 0; day < 20; day++) {
      double[] prices = s.prices().sampleDay(rng);
      assertThat(V2vEpisode.play(s, read.policy(s), prices))
          .isEqualTo(V2vEpisode.play(s, trained.policy(s), prices));
    }
    // A model read back trains on.
    read.train(s, 512);
    assertThat(read.stepsTrained()).isGreaterThan(trained.stepsTrained());
  }

  @Test
  void readModel_anyChangedParameterOrHashCharacter_refusedNamingTheLine() {
    int first = lines.indexOf("parameters=" + trained.parameterCount()) + 1;
    int last = lines.size() - 1; // the hash line
    qt().withFixedSeed(11)
        .withExamples(150)
        .forAll(integers().between(first, last), integers().between(0, 63))
        .checkAssert(
            (line, column) -> {
              String original = lines.get(line);
              int at = line == last ? "sha256=".length() + column : column % 16;
              char c = original.charAt(at);
              char other = c == '0' ? '1' : '0';
              List<String> changed = new ArrayList<>(lines);
              changed.set(line, original.substring(0, at) + other + original.substring(at + 1));
              Path damaged = write(changed);
              assertThatThrownBy(() -> PpoLearner.readModel(damaged))
                  .isInstanceOf(IllegalArgumentException.class)
                  .hasMessageStartingWith("model file " + damaged);
            });
  }

  @Test
  void readModel_badFiles_refusedWithTheReason() {
    List<String> other = new ArrayList<>(lines);
    other.set(0, "gridtrade-v2v-model/9");
    assertRefused(other, "line 1: first line 'gridtrade-v2v-model/9' is not");

    List<String> tenInputs = new ArrayList<>(lines);
    tenInputs.set(0, "gridtrade-v2v-model/1");
    assertRefused(
        tenInputs, "line 1: first line 'gridtrade-v2v-model/1' is not 'gridtrade-v2v-model/2'");

    List<String> missing = new ArrayList<>(lines);
    missing.remove(3);
    assertRefused(missing, "line 4: expected 'learningRate=...', found 'stepsPerUpdate=1024'");

    List<String> notNumber = replaced("hiddenUnits=", "hiddenUnits=many");
    assertRefused(notNumber, "field hiddenUnits: 'many' is not a whole number");

    List<String> outOfRange = replaced("hiddenLayers=", "hiddenLayers=9");
    assertRefused(outOfRange, "hiddenLayers");

    List<String> tooWide = replaced("hiddenUnits=", "hiddenUnits=9");
    assertRefused(tooWide, "but this configuration has");

    List<String> truncated = new ArrayList<>(lines.subList(0, lines.size() - 5));
    assertRefused(truncated, "the file ends early");

    List<String> trailing = new ArrayList<>(lines);
    trailing.add("extra");
    assertRefused(trailing, "content after the hash");

    List<String> longLine = new ArrayList<>(lines);
    longLine.set(2, "x".repeat(10_000));
    assertRefused(longLine, "line 3: line longer than 200 characters");

    List<String> nan = new ArrayList<>(lines);
    int p = lines.indexOf("parameters=" + trained.parameterCount()) + 1;
    nan.set(p, String.format("%016x", Double.doubleToRawLongBits(Double.NaN)));
    assertRefused(nan, "is NaN, not finite");

    assertThatThrownBy(() -> PpoLearner.readModel(write(List.of())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("the file ends early");
  }

  private List<String> replaced(String prefix, String line) {
    List<String> l = new ArrayList<>(lines);
    for (int i = 0; i < l.size(); i++) {
      if (l.get(i).startsWith(prefix)) {
        l.set(i, line);
      }
    }
    return l;
  }

  private void assertRefused(List<String> content, String why) {
    Path damaged = write(content);
    assertThatThrownBy(() -> PpoLearner.readModel(damaged))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("model file " + damaged)
        .hasMessageContaining(why);
  }

  private int written;

  private Path write(List<String> content) {
    try {
      Path p = dir.resolve("damaged-" + written++ + ".model");
      Files.write(p, content, StandardCharsets.UTF_8);
      return p;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
