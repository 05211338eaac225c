/**
 * An event with every field, as the log writes it (ids as they are, numbers in hex where the log
 * has them in hex): the one label the text trace, the sequence diagram and graph edges share, so
 * a value reads the same in each. Pure.
 */
import { eventToJson } from '../events/serialize.js';
import type { ModelEvent } from '../events/types.js';

export function eventLabel(e: ModelEvent): string {
  const { type, ...rest } = eventToJson(e);
  const args = Object.entries(rest).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  return `${type}(${args.join(', ')})`;
}
