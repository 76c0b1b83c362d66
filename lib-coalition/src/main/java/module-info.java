/** GridTrade coalitions (not yet implemented: this module exports nothing). */
module org.gridtrade.coalition {}
