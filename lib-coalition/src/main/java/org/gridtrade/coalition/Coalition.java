package org.gridtrade.coalition;

import java.util.List;

/**
 * A coalition with its loss-minimising transfers: between members, and each member's residual trade
 * with the EDC.
 *
 * @param members the members' scores, in community order
 * @param transfers internal transfers first (seller to buyer), then EDC trades
 */
public record Coalition(List<MemberScore> members, List<Transfer> transfers) {

  /**
   * Copies the lists.
   *
   * @throws IllegalArgumentException if there are no members
   */
  public Coalition {
    members = List.copyOf(members);
    transfers = List.copyOf(transfers);
    if (members.isEmpty()) {
      throw new IllegalArgumentException("coalition members: empty; at least one is needed");
    }
  }

  /**
   * Member ids in community order.
   *
   * @return the ids
   */
  public List<String> memberIds() {
    return members.stream().map(MemberScore::id).toList();
  }

  /**
   * The coalition proof score {@code PS_S = Σ PS_Si} (Eq. 3.5).
   *
   * @return the score
   */
  public double proofScore() {
    return members.stream().mapToDouble(MemberScore::proofScore).sum();
  }

  /**
   * The coalition's total loss {@code E_S^loss} (Eq. 3.21), kWh.
   *
   * @return the loss
   */
  public double totalLoss() {
    return members.stream().mapToDouble(MemberScore::coalitionLoss).sum();
  }

  /**
   * The members' loss acting alone {@code E_D^loss} (Eq. 3.20), kWh.
   *
   * @return the loss
   */
  public double standaloneLoss() {
    return members.stream().mapToDouble(MemberScore::standaloneLoss).sum();
  }

  /**
   * The coalition's saving {@code E_S^save = E_D^loss − E_S^loss} (Eq. 3.19), kWh.
   *
   * @return the saving
   */
  public double saving() {
    return standaloneLoss() - totalLoss();
  }

  /**
   * Energy sent between members, kWh.
   *
   * @return the internal energy
   */
  public double internalEnergy() {
    return transfers.stream().filter(Transfer::internal).mapToDouble(Transfer::energy).sum();
  }

  /**
   * Energy traded with the EDC (sold plus bought), kWh.
   *
   * @return the EDC energy
   */
  public double edcEnergy() {
    return transfers.stream().filter(t -> !t.internal()).mapToDouble(Transfer::energy).sum();
  }
}
