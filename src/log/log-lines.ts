/**
 * A log text's lines as the reader and the chain check both see them: a UTF-8 byte-order mark
 * some editors write is not part of the first line, and a CR before a newline is not part of
 * its line. Pure.
 */
export function logLines(text: string): string[] {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  return body.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
}
