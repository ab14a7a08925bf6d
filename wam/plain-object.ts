/**
 * A plain object: its prototype is null or an Object.prototype (of any realm: states cross realms in workers,
 * worklets and test harnesses). Arrays, typed arrays, Map, Set, Date, RegExp, boxed primitives, Error, Promise,
 * WeakMap and class instances all have another prototype in between. Pure module.
 */
export function isPlainObject(x: unknown): x is Record<string, unknown> {
  if (x === null || typeof x !== 'object') return false;
  const proto: unknown = Object.getPrototypeOf(x);
  return proto === null || (Object.getPrototypeOf(proto) === null && Object.prototype.toString.call(x) === '[object Object]');
}
