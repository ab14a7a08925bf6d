/**
 * Describes any value for an error message without ever throwing: String(x) throws a TypeError for a
 * null-prototype object (no toString), a Symbol in a template literal, or a Proxy whose traps throw, and an
 * error message that throws replaces the promised RangeError by a TypeError.
 */
export function describeValue(x: unknown): string {
  if (typeof x === 'symbol') return x.toString();
  if (x === null || (typeof x !== 'object' && typeof x !== 'function')) return String(x);
  try {
    const s = String(x);
    return typeof s === 'string' ? s : Object.prototype.toString.call(x);
  } catch {
    try {
      return Object.prototype.toString.call(x);
    } catch {
      return `a ${typeof x}`;
    }
  }
}
