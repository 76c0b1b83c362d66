/** GridTrade auctions (not yet implemented: this module exports nothing). */
module org.gridtrade.auction {}
