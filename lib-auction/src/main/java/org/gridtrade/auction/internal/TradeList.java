package org.gridtrade.auction.internal;

import java.util.AbstractList;
import java.util.Objects;
import java.util.RandomAccess;
import org.gridtrade.auction.Trade;

/**
 * An immutable list of trades stored column-wise in primitive arrays; each {@link #get(int)}
 * creates the {@link Trade} value on access. A clearing of a million orders then allocates a few
 * arrays instead of hundreds of thousands of objects that the garbage collector would have to copy
 * while they are being built.
 *
 * <p>Trades are values: two calls to {@code get(i)} return equal, not necessarily identical,
 * objects. The arrays are owned by the list (never exposed or modified after construction).
 */
public final class TradeList extends AbstractList<Trade> implements RandomAccess {
  private final String[] buyIds;
  private final String[] sellIds;
  private final int[] buyer;
  private final int[] seller;
  private final double[] quantity;
  private final int size;
  private final double[] buyPrices;
  private final double[] sellPrices;
  private final double buyerPrice;
  private final double sellerPrice;

  /**
   * Creates the list.
   *
   * @param buyIds buy order ids by order index
   * @param sellIds sell order ids by order index
   * @param buyer per trade, the buy order's index
   * @param seller per trade, the sell order's index
   * @param quantity per trade, the quantity (more than 0)
   * @param size the number of trades (a prefix of the three per-trade arrays)
   * @param buyPrices buy order prices by order index, used when {@code buyerPrice} is NaN
   * @param sellPrices sell order prices by order index, used when {@code sellerPrice} is NaN
   * @param buyerPrice the uniform buyer price, or NaN for each buyer's own price
   * @param sellerPrice the uniform seller price, or NaN for each seller's own price
   */
  public TradeList(
      String[] buyIds,
      String[] sellIds,
      int[] buyer,
      int[] seller,
      double[] quantity,
      int size,
      double[] buyPrices,
      double[] sellPrices,
      double buyerPrice,
      double sellerPrice) {
    this.buyIds = Objects.requireNonNull(buyIds);
    this.sellIds = Objects.requireNonNull(sellIds);
    this.buyer = Objects.requireNonNull(buyer);
    this.seller = Objects.requireNonNull(seller);
    this.quantity = Objects.requireNonNull(quantity);
    this.size = Objects.checkIndex(size, Math.min(buyer.length, seller.length) + 1);
    this.buyPrices = Objects.requireNonNull(buyPrices);
    this.sellPrices = Objects.requireNonNull(sellPrices);
    this.buyerPrice = buyerPrice;
    this.sellerPrice = sellerPrice;
  }

  @Override
  public Trade get(int index) {
    Objects.checkIndex(index, size);
    int b = buyer[index];
    int s = seller[index];
    return new Trade(
        buyIds[b],
        sellIds[s],
        quantity[index],
        Double.isNaN(buyerPrice) ? buyPrices[b] : buyerPrice,
        Double.isNaN(sellerPrice) ? sellPrices[s] : sellerPrice);
  }

  @Override
  public int size() {
    return size;
  }
}
