/** Implementation of coalition formation (transport solvers, formation engine); not API. */
package org.gridtrade.coalition.internal;
