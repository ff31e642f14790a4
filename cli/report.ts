import type { BundleWarning } from '../shared/config-bundle/types';
import type { ValidationIssue, ValidationReport } from '../shared/wicked-config';

/** One line per issue: `file:line:column [env] severity CODE: message (at jsonPath)`. */
export function formatIssue(issue: ValidationIssue): string {
  const where = [issue.file || '(archive)', issue.line, issue.column].filter((part) => part !== undefined).join(':');
  const env = issue.env ? ` [env ${issue.env}]` : '';
  const path = issue.jsonPath ? ` (at ${issue.jsonPath})` : '';
  const severity = issue.severity === 'warning' ? ' warning' : ' error';
  return `${where}${env}${severity} ${issue.code}: ${issue.message}${path}`;
}

/** Warnings of a bundle as `warning:` lines for stderr. */
export function warningLines(warnings: readonly BundleWarning[]): string[] {
  return warnings.map((warning) => `warning: ${warning.path}: ${warning.message}`);
}

/**
 * One line per checked environment: whether portal-api would start with it
 * as NODE_ENV, and how many errors and warnings apply to it.
 *
 * @example
 * verdictLines(report) // ['docker: would run (0 errors, 3 warnings)', 'localhost: refused (2 errors, 3 warnings)']
 */
export function verdictLines(report: ValidationReport): string[] {
  return (report.verdicts ?? []).map((verdict) => {
    const counts = `${verdict.errors} error${verdict.errors === 1 ? '' : 's'}, ${verdict.warnings} warning${verdict.warnings === 1 ? '' : 's'}`;
    return `${verdict.env}: ${verdict.runs ? 'would run' : 'refused'} (${counts})`;
  });
}

/** `N errors, M warnings` of a report. */
export function countLine(report: ValidationReport): string {
  const errors = report.errorCount ?? report.issues.filter((issue) => issue.severity !== 'warning').length;
  const warnings = report.warningCount ?? report.issues.length - errors;
  return `${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`;
}
