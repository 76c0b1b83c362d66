/** Implementation of the Stackelberg game; not exported, not API. */
package org.gridtrade.game.stackelberg.internal;
