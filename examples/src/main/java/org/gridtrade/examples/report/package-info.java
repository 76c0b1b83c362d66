/**
 * Charts and reports built from the records the demos and studies return: the demo's terminal,
 * JSON, Markdown and HTML report, and the chart builders (XChart) shared by the commands.
 */
package org.gridtrade.examples.report;
