/**
 * Finds the 0-based offset of the first syntax error in a JSON text that JSON.parse refused, so
 * the error can name a column (V8 reports a position only for some errors). Only runs on lines
 * that already failed; iterative with an explicit stack, so deep nesting cannot overflow. Pure.
 */
const WS = ' \t\r\n';

export function jsonErrorOffset(text: string): number {
  let i = 0;
  const stack: ('o' | 'a')[] = [];
  const skipWs = () => {
    while (i < text.length && WS.includes(text[i])) i++;
  };
  const scanString = (): boolean => {
    i++;
    while (i < text.length) {
      const c = text[i];
      if (c === '"') return i++, true;
      if (c < ' ') return false;
      if (c !== '\\') {
        i++;
        continue;
      }
      i++;
      if (text[i] === 'u') {
        for (let k = 1; k <= 4; k++) if (!/[0-9a-fA-F]/.test(text[i + k] ?? '')) return (i += k), false;
        i += 5;
      } else if (i < text.length && '"\\/bfnrt'.includes(text[i])) i++;
      else return false;
    }
    return false;
  };
  const scanScalar = (): boolean => {
    for (const word of ['true', 'false', 'null']) {
      if (text[i] !== word[0]) continue;
      for (let k = 0; k < word.length; k++, i++) if (text[i] !== word[k]) return false;
      return true;
    }
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m) return false;
    i += m[0].length;
    return true;
  };

  let want: 'value' | 'key' | 'after' = 'value';
  for (;;) {
    skipWs();
    if (want === 'key') {
      if (text[i] !== '"' || !scanString()) return i;
      skipWs();
      if (text[i] !== ':') return i;
      i++;
      want = 'value';
    } else if (want === 'value') {
      const c = text[i];
      if (c === '{' || c === '[') {
        i++;
        skipWs();
        if (text[i] === (c === '{' ? '}' : ']')) {
          i++;
          want = 'after';
        } else {
          stack.push(c === '{' ? 'o' : 'a');
          want = c === '{' ? 'key' : 'value';
        }
      } else if (c === '"') {
        if (!scanString()) return i;
        want = 'after';
      } else {
        if (!scanScalar()) return i;
        want = 'after';
      }
    } else {
      const top = stack.at(-1);
      if (top === undefined) return i;
      if (text[i] === ',') {
        i++;
        want = top === 'o' ? 'key' : 'value';
      } else if (text[i] === (top === 'o' ? '}' : ']')) {
        stack.pop();
        i++;
      } else return i;
    }
  }
}
