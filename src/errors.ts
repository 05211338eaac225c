/**
 * Errors that are not kernel outcomes. A refused call is data (an outcome code); a property
 * violation is data (a Violation). These are for bad input and model bugs only.
 */

/** Where a bad input was found: file, 1-based line, and the offending field if any. */
export interface InputLocation {
  readonly file: string;
  readonly line: number;
  readonly column?: number;
  readonly field?: string;
}

/** Malformed or impossible input: the CLI prints `message` with its location and exits 2. */
export class InputError extends Error {
  readonly code = 'VKM_BAD_INPUT';
  constructor(
    readonly location: InputLocation,
    readonly reason: string,
  ) {
    super(formatInputError(location, reason));
  }
}

/** `file:line[:column]: field "f": reason`, the one format every input error uses. */
export function formatInputError(loc: InputLocation, reason: string): string {
  const col = loc.column !== undefined ? `:${loc.column}` : '';
  const field = loc.field !== undefined ? ` field "${loc.field}":` : '';
  return `${loc.file}:${loc.line}${col}:${field} ${reason}`;
}

/** A usage mistake on the command line (exit 2). */
export class UsageError extends Error {
  readonly code = 'VKM_USAGE';
}

/**
 * A registration that cannot be accepted (an unknown table, op, base design, scenario or property;
 * a duplicate name), or a name that names nothing registered. The message lists the valid names;
 * the CLI prints it and exits 2.
 */
export class DesignError extends Error {
  readonly code = 'VKM_BAD_DESIGN';
}
