/** SVG rendered in-process by Graphviz compiled to WebAssembly (@viz-js/viz): nothing to install. */
import { instance } from '@viz-js/viz';

/** Renders DOT to SVG; throws with Graphviz's own message when the DOT is not accepted. */
export async function dotToSvg(dot: string): Promise<string> {
  const viz = await instance();
  const r = viz.render(dot, { format: 'svg' });
  if (r.status !== 'success') throw new Error(`graphviz: ${r.errors.map((e) => e.message).join('; ')}`);
  return r.output;
}
