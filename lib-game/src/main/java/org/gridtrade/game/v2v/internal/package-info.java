/** Implementation of V2V trading: the network, the optimiser and the PPO update; not API. */
package org.gridtrade.game.v2v.internal;
