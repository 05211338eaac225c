/** Whether `x` is an object (a record, array, map or set of the model's data), not a primitive or null. */
export const isObject = (x: unknown): x is object => typeof x === 'object' && x !== null;
