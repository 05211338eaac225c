/**
 * Makes text safe to print on one terminal line: control characters (newlines, escapes, NUL)
 * are shown escaped, and a message longer than `max` characters is cut with an ellipsis, so a
 * hostile log value can neither forge output lines, drive the terminal, nor flood it. Pure.
 */
export const MAX_MESSAGE = 1000;

export function sanitize(text: string, max = MAX_MESSAGE): string {
  // eslint-disable-next-line no-control-regex
  const safe = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => {
    const code = c.charCodeAt(0);
    return code === 10 ? '\\n' : code === 13 ? '\\r' : code === 9 ? '\\t' : code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16)}`;
  });
  return safe.length > max ? `${safe.slice(0, max - 1)}…` : safe;
}
