/**
 * Shared vocabulary of the lifecycle machines. A refused event is a targetless transition whose
 * only action is `refuse` with the kernel's code, so the machine states both whether an ioctl is
 * legal in a state and which errno the kernel returns when it is not.
 */

/** A transition that leaves the state unchanged and refuses with `code`. */
export function refuse(code: string) {
  return { actions: { type: 'refuse', params: { code } } } as const;
}

/** Implementation of the `refuse` action: it runs nothing, the compiled table reads its params. */
export const refuseAction = (_: unknown, _params: { code: string }) => {};
