/** The market modules' state layout and integer clearing; not part of the API. */
package org.gridtrade.market.internal;
