import type { BundleWarning } from '../shared/config-bundle/types';
import type { ValidationIssue } from '../shared/wicked-config';

/** One line per issue: `file:line:column [env] CODE message (at jsonPath)`. */
export function formatIssue(issue: ValidationIssue): string {
  const where = [issue.file || '(archive)', issue.line, issue.column].filter((part) => part !== undefined).join(':');
  const env = issue.env ? ` [env ${issue.env}]` : '';
  const path = issue.jsonPath ? ` (at ${issue.jsonPath})` : '';
  return `${where}${env} ${issue.code}: ${issue.message}${path}`;
}

/** Warnings of a bundle as `warning:` lines for stderr. */
export function warningLines(warnings: readonly BundleWarning[]): string[] {
  return warnings.map((warning) => `warning: ${warning.path}: ${warning.message}`);
}
